package dev.carrot.route.model;

import dev.carrot.route.encoder.internal.TextModelRuntime;

import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;

/**
 * A text model per router: an ONNX graph over the prompt's token ids under its own tokenizer, one output per model
 * ({@code link(logits_m)}: sigmoid for quality, identity for output tokens), run in process by ONNX Runtime. This is
 * what a HuggingFace sequence-classification checkpoint exported with {@code optimum-cli export onnx} is, such as the
 * CARROT authors' {@code CARROT-LLM-Routing/Performance} (quality) and {@code CARROT-LLM-Routing/Cost} (output
 * tokens). Reads the prompt's text: routers with it route text, not embeddings.
 *
 * <p>Manifest entry: {@code {"kind": "onnx-text", "link": "sigmoid", "max_tokens": 512, "model_sha256": "...",
 * "model": BYTES, "tokenizer": BYTES}}. The model is loaded when the predictor is made (so a graph of the wrong shape
 * fails then); {@link #close()} frees it, and it is loaded again if used after.
 */
public final class OnnxTextPredictor implements Predictor, AutoCloseable {
    /** The manifest name of this kind. */
    public static final String KIND = "onnx-text";

    private final int outputs;
    private final byte[] model;
    private final byte[] tokenizerJson;
    private final LinearPredictor.Link link;
    private final int maxTokens;
    private final String sha256;
    private volatile TextModelRuntime runtime;

    /**
     * @param outputs       the router's models, in the order of the graph's outputs
     * @param model         the ONNX graph's bytes
     * @param tokenizerJson its tokenizer.json
     * @param link          applied to each output: sigmoid for quality, identity for tokens
     * @param maxTokens     word pieces the model reads at most (512 for RoBERTa)
     * @throws dev.carrot.route.encoder.EncoderException if the graph does not load or does not have that many outputs
     */
    public OnnxTextPredictor(int outputs, byte[] model, byte[] tokenizerJson, LinearPredictor.Link link,
                             int maxTokens) {
        if (outputs < 1 || maxTokens < 2) {
            throw new IllegalArgumentException("outputs must be >= 1 and maxTokens >= 2, got " + outputs + " and "
                    + maxTokens);
        }
        this.outputs = outputs;
        this.model = Objects.requireNonNull(model, "model").clone();
        this.tokenizerJson = Objects.requireNonNull(tokenizerJson, "tokenizerJson").clone();
        this.link = Objects.requireNonNull(link, "link");
        this.maxTokens = maxTokens;
        this.sha256 = sha256(this.model);
        runtime();
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public int outputs() {
        return outputs;
    }

    public LinearPredictor.Link link() {
        return link;
    }

    public int maxTokens() {
        return maxTokens;
    }

    /** SHA-256 of the ONNX graph, lower-case hex. */
    public String modelSha256() {
        return sha256;
    }

    public byte[] model() {
        return model.clone();
    }

    public byte[] tokenizerJson() {
        return tokenizerJson.clone();
    }

    @Override
    public String describe() {
        return "onnx-text(" + sha256.substring(0, 12) + ", " + link.name().toLowerCase(Locale.ROOT) + ")";
    }

    @Override
    public boolean readsText() {
        return true;
    }

    @Override
    public boolean readsEmbedding() {
        return false;
    }

    /** The raw outputs of the graph, before the link (the logits), for one text. */
    public float[] logits(String text) {
        return runtime().predict(text);
    }

    @Override
    public void predict(PromptView prompt, double[] out) {
        if (prompt.text() == null) {
            throw new IllegalStateException("this router's " + describe() + " predictor reads the prompt's text:"
                    + " route the text, not an embedding");
        }
        float[] z = logits(prompt.text());
        for (int m = 0; m < outputs; m++) {
            out[m] = link.apply(z[m]);
        }
    }

    @Override
    public void write(PredictorWriter out) throws IOException {
        out.put("link", link.name().toLowerCase(Locale.ROOT));
        out.put("max_tokens", maxTokens);
        out.put("model_sha256", sha256);
        out.putBytes("model", model);
        out.putBytes("tokenizer", tokenizerJson);
    }

    private TextModelRuntime runtime() {
        TextModelRuntime r = runtime;
        if (r == null) {
            synchronized (this) {
                r = runtime;
                if (r == null) {
                    r = TextModelRuntime.load("text model " + sha256.substring(0, 12), model, tokenizerJson,
                            maxTokens, outputs);
                    runtime = r;
                }
            }
        }
        return r;
    }

    /** Frees the ONNX Runtime session and the tokenizer (loaded again if the predictor is used after). */
    @Override
    public synchronized void close() {
        TextModelRuntime r = runtime;
        runtime = null;
        if (r != null) {
            r.close();
        }
    }

    private static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }

    /** Reads {@code "onnx-text"} entries. */
    public static final class Kind implements PredictorKind {
        @Override
        public String name() {
            return KIND;
        }

        @Override
        public Predictor read(PredictorReader in) throws IOException {
            LinearPredictor.Link l = LinearPredictor.Link.read(in);
            byte[] model = in.getBytes("model");
            String sha = in.getString("model_sha256");
            String actual = sha256(model);
            if (!actual.equals(sha)) {
                throw in.invalid("the model's SHA-256 is " + actual + ", the manifest says " + sha);
            }
            return new OnnxTextPredictor(in.outputs(), model, in.getBytes("tokenizer"), l, in.getInt("max_tokens"));
        }
    }
}
