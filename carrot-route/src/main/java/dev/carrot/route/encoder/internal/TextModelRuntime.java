package dev.carrot.route.encoder.internal;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.carrot.route.encoder.CarrotHome;
import dev.carrot.route.encoder.EncoderException;

import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A text model run in process: a HuggingFace tokenizer, then an ONNX graph that maps a prompt's token ids
 * ({@code input_ids}, {@code attention_mask}, optionally {@code token_type_ids}; int64 {@code [batch, sequence]})
 * to one score per output ({@code logits}, float {@code [batch, outputs]}), as {@code optimum-cli export onnx}
 * writes a sequence-classification checkpoint. Texts are cut by a {@link TextBound} before tokenizing and their
 * word pieces truncated to {@code maxTokens} the way HuggingFace truncates (the first pieces, then the trailing
 * special tokens). Thread-safe; {@link #close()} frees the native resources once no call is in flight.
 *
 * <p>Also a tokenizer alone ({@link #tokenizerOnly}), to count a prompt's tokens under another model's tokenizer.
 */
public final class TextModelRuntime implements AutoCloseable {
    static final String INPUT_IDS = "input_ids";
    static final String ATTENTION_MASK = "attention_mask";
    static final String TOKEN_TYPE_IDS = "token_type_ids";
    private static final Set<String> KNOWN_INPUTS = Set.of(INPUT_IDS, ATTENTION_MASK, TOKEN_TYPE_IDS);

    private final String what;
    private final HuggingFaceTokenizer tokenizer;
    private final OrtSession session; // null for a tokenizer alone
    private final OrtEnvironment env;
    private final String output;
    private final boolean feedMask;
    private final boolean feedTypes;
    private final int outputs;
    private final int maxTokens;
    private final int prefix;
    private final int suffix;
    private final TextBound bound;
    private final SessionGuard guard;

    private TextModelRuntime(String what, HuggingFaceTokenizer tokenizer, OrtEnvironment env, OrtSession session,
                             String output, boolean feedMask, boolean feedTypes, int outputs, int maxTokens) {
        this.what = what;
        this.tokenizer = tokenizer;
        this.env = env;
        this.session = session;
        this.output = output;
        this.feedMask = feedMask;
        this.feedTypes = feedTypes;
        this.outputs = outputs;
        this.maxTokens = maxTokens;
        long[] specialMask = tokenizer.encode("a").getSpecialTokenMask();
        int p = 0;
        while (p < specialMask.length && specialMask[p] == 1) {
            p++;
        }
        int q = 0;
        while (q < specialMask.length - p && specialMask[specialMask.length - 1 - q] == 1) {
            q++;
        }
        this.prefix = p;
        this.suffix = q;
        this.bound = TextBound.forModel(maxTokens);
        this.guard = new SessionGuard(what, () -> {
            if (session != null) {
                try {
                    session.close();
                } catch (OrtException | RuntimeException e) {
                    System.getLogger(TextModelRuntime.class.getName()).log(System.Logger.Level.WARNING,
                            "closing the ONNX Runtime session of " + what + " failed", e);
                }
            }
            tokenizer.close();
        });
    }

    /**
     * Loads a text model and checks its graph: the inputs it declares, one float output of shape
     * {@code [batch, outputs]} (named {@code logits}, or the only one), and, by one probe run, the number of outputs.
     *
     * @param what      names the model in messages ("quality model of router X")
     * @param maxTokens word pieces the model reads at most (512 for RoBERTa)
     * @param outputs   the number of outputs expected
     * @throws EncoderException naming what the graph declares and what was expected
     */
    public static TextModelRuntime load(String what, byte[] onnx, byte[] tokenizerJson, int maxTokens, int outputs) {
        Objects.requireNonNull(onnx, "onnx");
        DjlEnvironment.prepare(CarrotHome.cacheDir());
        HuggingFaceTokenizer tokenizer = OnnxPromptEncoder.newTokenizer(tokenizerJson, what);
        OrtSession session = null;
        try {
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
                o.setInterOpNumThreads(1);
                session = env.createSession(onnx, o);
            }
            Map<String, NodeInfo> inputs = session.getInputInfo();
            if (!inputs.containsKey(INPUT_IDS)) {
                throw new EncoderException(what + " declares inputs " + inputs.keySet() + "; expected '" + INPUT_IDS
                        + "' and '" + ATTENTION_MASK + "' (int64 [batch, sequence]), as optimum-cli export onnx writes");
            }
            for (Map.Entry<String, NodeInfo> in : inputs.entrySet()) {
                if (!KNOWN_INPUTS.contains(in.getKey()) || !(in.getValue().getInfo() instanceof TensorInfo t)
                        || t.type != OnnxJavaType.INT64) {
                    throw new EncoderException(what + " declares input '" + in.getKey() + "' as "
                            + in.getValue().getInfo() + "; expected int64 tensors named " + INPUT_IDS + ", "
                            + ATTENTION_MASK + " (and optionally " + TOKEN_TYPE_IDS + ")");
                }
            }
            String output = chooseOutput(session.getOutputInfo(), what);
            TextModelRuntime rt = new TextModelRuntime(what, tokenizer, env, session, output,
                    inputs.containsKey(ATTENTION_MASK), inputs.containsKey(TOKEN_TYPE_IDS), outputs, maxTokens);
            int got = rt.probeOutputs();
            if (got != outputs) {
                rt.close();
                throw new EncoderException(what + " has " + got + " outputs; expected " + outputs + " (one per model"
                        + " of the router, in its order)");
            }
            return rt;
        } catch (OrtException e) {
            closeQuietly(session);
            tokenizer.close();
            throw new EncoderException("ONNX Runtime cannot load " + what + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(session);
            tokenizer.close();
            throw e;
        }
    }

    /** A tokenizer alone, for counting tokens ({@link #countTokens}). */
    public static TextModelRuntime tokenizerOnly(String what, byte[] tokenizerJson) {
        DjlEnvironment.prepare(CarrotHome.cacheDir());
        HuggingFaceTokenizer tokenizer = OnnxPromptEncoder.newTokenizer(tokenizerJson, what);
        return new TextModelRuntime(what, tokenizer, null, null, null, false, false, 0, Integer.MAX_VALUE / 64);
    }

    private static String chooseOutput(Map<String, NodeInfo> outs, String what) {
        NodeInfo logits = outs.get("logits");
        if (logits != null && isMatrix(logits)) {
            return "logits";
        }
        String only = null;
        for (Map.Entry<String, NodeInfo> o : outs.entrySet()) {
            if (isMatrix(o.getValue())) {
                if (only != null) {
                    only = null;
                    break;
                }
                only = o.getKey();
            }
        }
        if (only != null) {
            return only;
        }
        Map<String, String> shapes = new LinkedHashMap<>();
        outs.forEach((n, i) -> shapes.put(n, i.getInfo().toString()));
        throw new EncoderException(what + " has outputs " + shapes + "; expected 'logits', a float tensor [batch,"
                + " outputs]");
    }

    private static boolean isMatrix(NodeInfo n) {
        return n.getInfo() instanceof TensorInfo t && t.type == OnnxJavaType.FLOAT && t.getShape().length == 2;
    }

    private int probeOutputs() throws OrtException {
        try (SessionGuard.Call call = guard.enter()) {
            return run(call, tokenizer.encode("probe").getIds()).length;
        }
    }

    /** The model's raw outputs (logits) for one text. */
    public float[] predict(String text) {
        Objects.requireNonNull(text, "text");
        try (SessionGuard.Call call = guard.enter()) {
            long[] ids = truncate(tokenizer.encode(bound.head(text)).getIds());
            float[] out = run(call, ids);
            if (out.length != outputs) {
                throw new EncoderException(what + " returned " + out.length + " outputs; expected " + outputs);
            }
            return out;
        } catch (OrtException e) {
            if (guard.isClosing()) {
                throw new IllegalStateException(what + " was closed while it ran", e);
            }
            throw new EncoderException("ONNX Runtime failed on " + what + ": " + e.getMessage(), e);
        }
    }

    /** Word pieces of the whole text (special tokens included), estimated beyond the {@link TextBound}. */
    public int countTokens(String text) {
        Objects.requireNonNull(text, "text");
        try (SessionGuard.Call call = guard.enter()) {
            String head = bound.head(text);
            return bound.estimate(text, head, tokenizer.encode(head).getIds().length, prefix + suffix);
        }
    }

    /** The ids HuggingFace's {@code truncation=True, max_length} keeps: the first ones, then the trailing specials. */
    private long[] truncate(long[] ids) {
        if (ids.length <= maxTokens) {
            return ids;
        }
        long[] cut = new long[maxTokens];
        int head = maxTokens - suffix;
        System.arraycopy(ids, 0, cut, 0, head);
        System.arraycopy(ids, ids.length - suffix, cut, head, suffix);
        return cut;
    }

    private float[] run(SessionGuard.Call call, long[] ids) throws OrtException {
        long[] shape = {1, ids.length};
        long[] ones = new long[ids.length];
        java.util.Arrays.fill(ones, 1L);
        Map<String, OnnxTensor> in = new HashMap<>(4);
        try {
            in.put(INPUT_IDS, OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape));
            if (feedMask) {
                in.put(ATTENTION_MASK, OnnxTensor.createTensor(env, LongBuffer.wrap(ones), shape));
            }
            if (feedTypes) {
                in.put(TOKEN_TYPE_IDS, OnnxTensor.createTensor(env, LongBuffer.wrap(new long[ids.length]), shape));
            }
            try (OrtSession.Result r = session.run(in, Set.of(output), call.runOptions())) {
                OnnxValue v = r.get(output).orElseThrow(() -> new EncoderException(what + " returned no '" + output
                        + "'"));
                float[][] m = (float[][]) v.getValue();
                if (m.length != 1) {
                    throw new EncoderException(what + " returned " + m.length + " rows for one prompt");
                }
                return m[0];
            }
        } finally {
            for (OnnxTensor t : in.values()) {
                t.close();
            }
        }
    }

    /** Frees the session and tokenizer once no call is in flight (see {@link SessionGuard}). */
    @Override
    public void close() {
        guard.close();
    }

    private static void closeQuietly(OrtSession s) {
        if (s != null) {
            try {
                s.close();
            } catch (OrtException | RuntimeException e) {
                // nothing more to do
            }
        }
    }
}
