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
import ai.onnxruntime.ValueInfo;
import dev.carrot.route.encoder.BatchStats;
import dev.carrot.route.encoder.EncodedPrompt;
import dev.carrot.route.encoder.EncoderException;
import dev.carrot.route.encoder.EncoderInfo;
import dev.carrot.route.encoder.EncoderOptions;
import dev.carrot.route.encoder.Pooling;
import dev.carrot.route.encoder.PromptEncoder;
import dev.carrot.route.encoder.Truncation;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A sentence encoder run in-process: DJL's HuggingFace tokenizer, then ONNX Runtime (CPU), then mean or CLS pooling
 * and optional L2 normalisation, with sentence-transformers' semantics (truncate to {@code maxTokens} word pieces
 * including the special tokens; never reject a long text).
 *
 * <p>Thread-safe. {@code encodeAll} sorts texts by token length and pads each batch only to its own longest text.
 */
public final class OnnxPromptEncoder implements PromptEncoder {

    private static final System.Logger LOG = System.getLogger(OnnxPromptEncoder.class.getName());

    static final String INPUT_IDS = "input_ids";
    static final String ATTENTION_MASK = "attention_mask";
    static final String TOKEN_TYPE_IDS = "token_type_ids";
    private static final Set<String> KNOWN_INPUTS = Set.of(INPUT_IDS, ATTENTION_MASK, TOKEN_TYPE_IDS);
    private static final List<String> PREFERRED_OUTPUTS = List.of("last_hidden_state", "token_embeddings");

    /** Texts tokenised at once by encodeAll, per batch: bounds memory while keeping most of the sorting benefit. */
    private static final int WINDOW_BATCHES = 128;

    private final EncoderInfo info;
    private final String origin;
    private final OrtEnvironment env;
    private final OrtSession session;
    private final HuggingFaceTokenizer tokenizer;
    private final boolean feedAttentionMask;
    private final boolean feedTokenTypes;
    private final String outputName;
    private final int batchSize;
    private final int suffixSpecials;
    private final int specials;
    private final int prefixPieces; // word pieces of the text prefix, which the token counts leave out
    private final TextBound bound;
    private final SessionGuard guard;

    private OnnxPromptEncoder(EncoderInfo info, String origin, OrtEnvironment env, OrtSession session,
                              HuggingFaceTokenizer tokenizer, boolean feedAttentionMask, boolean feedTokenTypes,
                              String outputName, int batchSize, int suffixSpecials, int specials,
                              int prefixPieces) {
        this.info = info;
        this.origin = origin;
        this.env = env;
        this.session = session;
        this.tokenizer = tokenizer;
        this.feedAttentionMask = feedAttentionMask;
        this.feedTokenTypes = feedTokenTypes;
        this.outputName = outputName;
        this.batchSize = batchSize;
        this.suffixSpecials = suffixSpecials;
        this.specials = specials;
        this.prefixPieces = prefixPieces;
        this.bound = TextBound.forModel(info.maxTokens());
        this.guard = new SessionGuard("encoder '" + info.id() + "'", () -> closeQuietly(session, tokenizer));
    }

    /**
     * Loads a model: creates the tokenizer and the ONNX Runtime session, checks the graph's inputs and output, and runs
     * one probe text to learn and check the output dimension.
     *
     * @param source  model bytes, tokenizer and semantics
     * @param options batch size, threads, cache directory
     * @return a ready encoder
     * @throws EncoderException if the tokenizer or the model cannot be loaded or the graph is not a sentence encoder
     */
    public static OnnxPromptEncoder load(ModelSource source, EncoderOptions options) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(options, "options");
        long start = System.nanoTime();
        DjlEnvironment.prepare(options.cacheDir());
        HuggingFaceTokenizer tokenizer = newTokenizer(source);
        DjlEnvironment.reportNativeLibrary();
        OrtSession session = null;
        try {
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            try (OrtSession.SessionOptions sessionOptions = new OrtSession.SessionOptions()) {
                if (options.intraOpThreads() > 0) {
                    sessionOptions.setIntraOpNumThreads(options.intraOpThreads());
                }
                sessionOptions.setInterOpNumThreads(1);
                session = env.createSession(source.onnx(), sessionOptions);
            }
            OnnxPromptEncoder encoder = probe(source, options, env, session, tokenizer);
            long millis = (System.nanoTime() - start) / 1_000_000;
            EncoderInfo info = encoder.info();
            LOG.log(Level.INFO, () -> "loaded encoder '" + info.id() + "' from " + source.origin() + " in " + millis
                    + " ms: dimension " + info.dimension() + ", maxTokens " + info.maxTokens()
                    + (info.truncation() == Truncation.TAIL ? " (the last of a longer prompt)" : "") + ", " + info.pooling()
                    + " pooling" + (info.normalize() ? ", L2-normalised" : "") + ", onnx sha256 " + info.onnxSha256());
            return encoder;
        } catch (OrtException e) {
            closeQuietly(session, tokenizer);
            throw new EncoderException("ONNX Runtime cannot load the model of encoder '" + source.id() + "' from "
                    + source.origin() + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(session, tokenizer);
            throw e;
        }
    }

    private static HuggingFaceTokenizer newTokenizer(ModelSource source) {
        return newTokenizer(source.tokenizerJson().getBytes(StandardCharsets.UTF_8),
                "encoder '" + source.id() + "' from " + source.origin());
    }

    /**
     * A HuggingFace tokenizer from a tokenizer.json, with no truncation and no padding: counting needs the full
     * length, callers truncate themselves and pad per batch. This overrides whatever tokenizer.json asks for
     * (MiniLM's says 128 fixed).
     *
     * @param what names the tokenizer in messages
     */
    static HuggingFaceTokenizer newTokenizer(byte[] tokenizerJson, String what) {
        Map<String, String> tokenizerOptions = Map.of(
                "addSpecialTokens", "true",
                "truncation", "false",
                "padding", "false",
                "withOverflowingTokens", "false");
        try {
            return HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(tokenizerJson), tokenizerOptions);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the tokenizer of " + what, e);
        } catch (RuntimeException e) {
            throw new EncoderException("cannot create the HuggingFace tokenizer of " + what + " (expected a"
                    + " tokenizer.json written by HuggingFace tokenizers): " + e.getMessage(), e);
        }
    }

    private static OnnxPromptEncoder probe(ModelSource source, EncoderOptions options, OrtEnvironment env,
                                           OrtSession session, HuggingFaceTokenizer tokenizer) throws OrtException {
        String where = "model of encoder '" + source.id() + "' (" + source.origin() + ")";
        Map<String, NodeInfo> inputs = session.getInputInfo();
        if (!inputs.containsKey(INPUT_IDS)) {
            throw new EncoderException(where + " declares inputs " + inputs.keySet() + "; expected '" + INPUT_IDS
                    + "' (and optionally '" + ATTENTION_MASK + "', '" + TOKEN_TYPE_IDS + "')");
        }
        for (Map.Entry<String, NodeInfo> input : inputs.entrySet()) {
            if (!KNOWN_INPUTS.contains(input.getKey())) {
                throw new EncoderException(where + " declares input '" + input.getKey() + "'; expected only "
                        + INPUT_IDS + ", " + ATTENTION_MASK + " and " + TOKEN_TYPE_IDS);
            }
            ValueInfo valueInfo = input.getValue().getInfo();
            if (!(valueInfo instanceof TensorInfo) || ((TensorInfo) valueInfo).type != OnnxJavaType.INT64) {
                throw new EncoderException(where + " declares input '" + input.getKey() + "' as " + valueInfo
                        + "; expected an int64 tensor [batch, sequence]");
            }
        }
        String output = chooseOutput(session.getOutputInfo(), where);

        // Which of the tokenizer's special tokens come after the text ([SEP] for BERT): truncation keeps them.
        long[] specialMask = tokenizer.encode("a").getSpecialTokenMask();
        int prefix = 0;
        while (prefix < specialMask.length && specialMask[prefix] == 1) {
            prefix++;
        }
        int suffix = 0;
        while (suffix < specialMask.length - prefix && specialMask[specialMask.length - 1 - suffix] == 1) {
            suffix++;
        }
        int maxTokens = options.maxTokens() > 0 ? options.maxTokens() : source.maxTokens();
        if (maxTokens <= prefix + suffix) {
            throw new IllegalArgumentException("maxTokens " + maxTokens + " of encoder '" + source.id()
                    + "' leaves no room for text after " + (prefix + suffix) + " special tokens; expected > "
                    + (prefix + suffix));
        }

        long[] declared = ((TensorInfo) session.getOutputInfo().get(output).getInfo()).getShape();
        int declaredDim = declared.length == 3 && declared[2] > 0 ? (int) declared[2] : -1;
        // Run one text to learn the dimension when the graph leaves it symbolic, and to check the shape either way.
        Encoding probe = tokenizer.encode("probe");
        float[][] hidden = runRaw(env, session, output, inputs.containsKey(ATTENTION_MASK),
                inputs.containsKey(TOKEN_TYPE_IDS), List.of(new Tokenized(probe.getIds(), probe.getTypeIds(),
                        probe.getIds().length)), probe.getIds().length, declaredDim, where, source.pooling(), null);
        int dimension = hidden[0].length;
        EncoderInfo info = new EncoderInfo(source.id(), dimension, source.onnxSha256(), maxTokens, source.pooling(),
                source.normalize(), source.textPrefix(), options.truncation());
        // the prefix's own word pieces ("query: " is 3 for e5): tokenizing is per word, so they add up
        int prefixPieces = source.textPrefix().isEmpty() ? 0
                : tokenizer.encode(source.textPrefix()).getIds().length - (prefix + suffix);
        int batch = source.batchInvariant() ? options.batchSize() : 1;
        if (batch < options.batchSize()) {
            LOG.log(Level.INFO, () -> "encoder '" + source.id() + "' runs one text at a time (batchSize "
                    + options.batchSize() + " ignored): its dynamic quantisation scales a run by the whole batch, so"
                    + " batched vectors would depend on the other prompts of the batch");
        }
        return new OnnxPromptEncoder(info, source.origin(), env, session, tokenizer, inputs.containsKey(ATTENTION_MASK),
                inputs.containsKey(TOKEN_TYPE_IDS), output, batch, suffix, prefix + suffix, prefixPieces);
    }

    private static String chooseOutput(Map<String, NodeInfo> outputs, String where) {
        for (String preferred : PREFERRED_OUTPUTS) {
            NodeInfo node = outputs.get(preferred);
            if (node != null && isRank3Float(node)) {
                return preferred;
            }
        }
        for (Map.Entry<String, NodeInfo> output : outputs.entrySet()) {
            if (isRank3Float(output.getValue())) {
                return output.getKey();
            }
        }
        Map<String, String> shapes = new LinkedHashMap<>();
        outputs.forEach((name, node) -> shapes.put(name, node.getInfo().toString()));
        throw new EncoderException(where + " has outputs " + shapes
                + "; expected a float tensor of shape [batch, sequence, dimension] (token embeddings, e.g. "
                + "'last_hidden_state')");
    }

    private static boolean isRank3Float(NodeInfo node) {
        return node.getInfo() instanceof TensorInfo
                && ((TensorInfo) node.getInfo()).type == OnnxJavaType.FLOAT
                && ((TensorInfo) node.getInfo()).getShape().length == 3;
    }

    @Override
    public EncoderInfo info() {
        return info;
    }

    @Override
    public float[] encode(String text) {
        if (text == null) {
            throw new IllegalArgumentException("text is null; expected a prompt string (\"\" for an empty prompt)");
        }
        try (SessionGuard.Call call = guard.enter()) {
            Tokenized tokens = tokenize(text);
            return run(call, List.of(tokens), tokens.ids.length)[0];
        }
    }

    @Override
    public EncodedPrompt encodeCounted(String text) {
        if (text == null) {
            throw new IllegalArgumentException("text is null; expected a prompt string (\"\" for an empty prompt)");
        }
        try (SessionGuard.Call call = guard.enter()) {
            Tokenized tokens = tokenize(text);
            return new EncodedPrompt(run(call, List.of(tokens), tokens.ids.length)[0], tokens.fullLength);
        }
    }

    @Override
    public float[][] encodeAll(List<String> texts, Consumer<? super BatchStats> stats) {
        if (texts == null) {
            throw new IllegalArgumentException("texts is null; expected a list of prompts (possibly empty)");
        }
        Objects.requireNonNull(stats, "stats");
        int n = texts.size();
        String[] array = new String[n];
        for (int i = 0; i < n; i++) {
            String text = texts.get(i);
            if (text == null) {
                throw new IllegalArgumentException("texts[" + i + "] is null; expected a prompt string (\"\" for an "
                        + "empty prompt)");
            }
            array[i] = text;
        }
        float[][] out = new float[n][];
        if (n == 0) {
            stats.accept(BatchStats.EMPTY);
            return out;
        }
        int window = batchSize * WINDOW_BATCHES;
        int batches = 0;
        long tokens = 0;
        long padded = 0;
        long unsortedPadded = 0;
        int truncated = 0;
        try (SessionGuard.Call call = guard.enter()) {
            for (int from = 0; from < n; from += window) {
                int to = Math.min(n, from + window);
                String[] heads = new String[to - from];
                String[] inputs = new String[to - from];
                for (int i = from; i < to; i++) {
                    heads[i - from] = bound.part(array[i], info.truncation());
                    inputs[i - from] = info.textPrefix().isEmpty() ? heads[i - from]
                            : info.textPrefix() + heads[i - from];
                }
                Encoding[] encodings = tokenizer.batchEncode(inputs);
                int m = encodings.length;
                Tokenized[] tokenized = new Tokenized[m];
                Integer[] order = new Integer[m];
                for (int i = 0; i < m; i++) {
                    tokenized[i] = truncate(encodings[i], bound.estimate(array[from + i], heads[i],
                            encodings[i].getIds().length - prefixPieces, specials));
                    encodings[i] = null;
                    order[i] = i;
                    tokens += tokenized[i].ids.length;
                    if (tokenized[i].fullLength > tokenized[i].ids.length) {
                        truncated++;
                    }
                }
                for (int b = 0; b < m; b += batchSize) {
                    int maxLen = 0;
                    int end = Math.min(m, b + batchSize);
                    for (int i = b; i < end; i++) {
                        maxLen = Math.max(maxLen, tokenized[i].ids.length);
                    }
                    unsortedPadded += (long) (end - b) * maxLen;
                }
                Arrays.sort(order, (x, y) -> Integer.compare(tokenized[x].ids.length, tokenized[y].ids.length));
                for (int b = 0; b < m; b += batchSize) {
                    int end = Math.min(m, b + batchSize);
                    List<Tokenized> batch = new ArrayList<>(end - b);
                    for (int i = b; i < end; i++) {
                        batch.add(tokenized[order[i]]);
                    }
                    int maxLen = batch.get(batch.size() - 1).ids.length;
                    float[][] vectors = run(call, batch, maxLen);
                    for (int i = b; i < end; i++) {
                        out[from + order[i]] = vectors[i - b];
                    }
                    batches++;
                    padded += (long) batch.size() * maxLen;
                }
            }
        }
        stats.accept(new BatchStats(n, 0, batches, tokens, padded, unsortedPadded, truncated));
        return out;
    }

    @Override
    public int countTokens(String text) {
        if (text == null) {
            throw new IllegalArgumentException("text is null; expected a prompt string (\"\" for an empty prompt)");
        }
        try (SessionGuard.Call call = guard.enter()) {
            String head = bound.head(text);
            return bound.estimate(text, head, tokenizer.encode(head).getIds().length, specials);
        }
    }

    /**
     * Terminates the runs in flight, waits until no call is in native code, then frees the session and the
     * tokenizer (see {@link SessionGuard}).
     */
    @Override
    public void close() {
        guard.close();
    }

    @Override
    public String toString() {
        return "OnnxPromptEncoder[" + info.id() + ", " + origin + "]";
    }

    /**
     * The text's word pieces, from at most {@link TextBound#chars()} characters of it after the encoder's text prefix,
     * truncated for the model; the full length counts the text's own pieces, as {@link #countTokens} does.
     */
    private Tokenized tokenize(String text) {
        String head = bound.part(text, info.truncation());
        Encoding e = tokenizer.encode(info.textPrefix().isEmpty() ? head : info.textPrefix() + head);
        return truncate(e, bound.estimate(text, head, e.getIds().length - prefixPieces, specials));
    }

    /**
     * Keeps {@code maxTokens} pieces: the leading special tokens, the text prefix's pieces (kept whole by
     * {@link Truncation#TAIL}), the text's first or last pieces, and the trailing special tokens, as HF truncation
     * does for the head.
     */
    private Tokenized truncate(Encoding encoding, int fullLength) {
        long[] ids = encoding.getIds();
        long[] types = encoding.getTypeIds();
        int n = ids.length;
        int max = info.maxTokens();
        if (n <= max) {
            return new Tokenized(ids, types, fullLength);
        }
        // pieces copied from the start: everything but the trailing specials (head), or the leading specials and the
        // text prefix (tail, as far as the limit allows); the rest of the room goes to the text's last pieces
        int lead = info.truncation() == Truncation.TAIL
                ? Math.min(max - suffixSpecials, specials - suffixSpecials + prefixPieces) : max - suffixSpecials;
        int last = max - suffixSpecials - lead;
        long[] cutIds = new long[max];
        long[] cutTypes = new long[max];
        System.arraycopy(ids, 0, cutIds, 0, lead);
        System.arraycopy(types, 0, cutTypes, 0, lead);
        System.arraycopy(ids, n - suffixSpecials - last, cutIds, lead, last + suffixSpecials);
        System.arraycopy(types, n - suffixSpecials - last, cutTypes, lead, last + suffixSpecials);
        return new Tokenized(cutIds, cutTypes, fullLength);
    }

    private float[][] run(SessionGuard.Call call, List<Tokenized> batch, int maxLen) {
        String where = "encoder '" + info.id() + "' (" + origin + ")";
        try {
            float[][] vectors = runRaw(env, session, outputName, feedAttentionMask, feedTokenTypes, batch, maxLen,
                    info.dimension(), where, info.pooling(), call);
            if (info.normalize()) {
                for (float[] v : vectors) {
                    normalize(v);
                }
            }
            return vectors;
        } catch (OrtException e) {
            if (guard.isClosing()) {
                throw new IllegalStateException("encoder '" + info.id() + "' was closed while it ran", e);
            }
            throw new EncoderException("ONNX Runtime failed on " + where + " for a batch of " + batch.size()
                    + " texts padded to " + maxLen + " tokens: " + e.getMessage(), e);
        }
    }

    /**
     * Runs one padded batch and pools the token vectors (no normalisation).
     *
     * @param expectedDim the dimension to check, or -1 to accept any
     */
    private static float[][] runRaw(OrtEnvironment env, OrtSession session, String outputName, boolean feedMask,
                                    boolean feedTypes, List<Tokenized> batch, int maxLen, int expectedDim,
                                    String where, Pooling pooling, SessionGuard.Call call) throws OrtException {
        int b = batch.size();
        long[] shape = {b, maxLen};
        long[] ids = new long[b * maxLen];
        long[] mask = new long[b * maxLen];
        long[] types = new long[b * maxLen];
        for (int i = 0; i < b; i++) {
            Tokenized t = batch.get(i);
            int len = t.ids.length;
            assert len <= maxLen;
            System.arraycopy(t.ids, 0, ids, i * maxLen, len);
            System.arraycopy(t.types, 0, types, i * maxLen, len);
            Arrays.fill(mask, i * maxLen, i * maxLen + len, 1L);
        }
        Map<String, OnnxTensor> inputs = new HashMap<>(4);
        try {
            inputs.put(INPUT_IDS, OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape));
            if (feedMask) {
                inputs.put(ATTENTION_MASK, OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape));
            }
            if (feedTypes) {
                inputs.put(TOKEN_TYPE_IDS, OnnxTensor.createTensor(env, LongBuffer.wrap(types), shape));
            }
            try (OrtSession.Result result = call == null ? session.run(inputs, Set.of(outputName))
                    : session.run(inputs, Set.of(outputName), call.runOptions())) {
                OnnxValue value = result.get(outputName).orElseThrow(() -> new EncoderException(
                        where + " returned no output '" + outputName + "'"));
                if (!(value instanceof OnnxTensor)) {
                    throw new EncoderException(where + " returned " + value.getInfo() + " for output '" + outputName
                            + "'; expected a float tensor [batch, sequence, dimension]");
                }
                OnnxTensor tensor = (OnnxTensor) value;
                long[] out = tensor.getInfo().getShape();
                if (out.length != 3 || out[0] != b || out[1] != maxLen || out[2] < 1
                        || (expectedDim > 0 && out[2] != expectedDim)) {
                    throw new EncoderException(where + " output '" + outputName + "' has shape " + Arrays.toString(out)
                            + "; expected [batch=" + b + ", seq=" + maxLen + ", dim=" + (expectedDim > 0 ? expectedDim
                            : "d") + "]");
                }
                return pool(tensor.getFloatBuffer(), batch, maxLen, (int) out[2], pooling);
            }
        } finally {
            for (OnnxTensor tensor : inputs.values()) {
                tensor.close();
            }
        }
    }

    private static float[][] pool(FloatBuffer hidden, List<Tokenized> batch, int maxLen, int dim, Pooling pooling) {
        int b = batch.size();
        float[][] vectors = new float[b][dim];
        double[] sum = new double[dim];
        for (int i = 0; i < b; i++) {
            int base = i * maxLen * dim;
            float[] v = vectors[i];
            if (pooling == Pooling.CLS) {
                hidden.get(base, v, 0, dim);
                continue;
            }
            int len = batch.get(i).ids.length;
            Arrays.fill(sum, 0.0);
            for (int t = 0; t < len; t++) {
                int row = base + t * dim;
                for (int d = 0; d < dim; d++) {
                    sum[d] += hidden.get(row + d);
                }
            }
            double count = Math.max(len, 1);
            for (int d = 0; d < dim; d++) {
                v[d] = (float) (sum[d] / count);
            }
        }
        return vectors;
    }

    private static void normalize(float[] v) {
        double squares = 0.0;
        for (float x : v) {
            squares += (double) x * x;
        }
        // sentence-transformers: v / max(||v||, 1e-12)
        double norm = Math.max(Math.sqrt(squares), 1e-12);
        for (int d = 0; d < v.length; d++) {
            v[d] = (float) (v[d] / norm);
        }
    }

    private static void closeQuietly(OrtSession session, HuggingFaceTokenizer tokenizer) {
        if (session != null) {
            try {
                session.close();
            } catch (OrtException | RuntimeException e) {
                LOG.log(Level.WARNING, "closing the ONNX Runtime session failed", e);
            }
        }
        if (tokenizer != null) {
            tokenizer.close();
        }
    }

    /** Word-piece ids after truncation, and the length before it. */
    private static final class Tokenized {
        final long[] ids;
        final long[] types;
        final int fullLength;

        Tokenized(long[] ids, long[] types, int fullLength) {
            this.ids = ids;
            this.types = types;
            this.fullLength = fullLength;
        }
    }
}
