package dev.carrot.route.model;

import dev.carrot.route.encoder.internal.TextModelRuntime;

import java.util.Objects;

/**
 * Input tokens counted with a given HuggingFace tokenizer (a {@code tokenizer.json}), the same count for every model
 * (special tokens included, no truncation; beyond a bound of the text the count is estimated, see carrot-route's
 * README). CARROT's published router counts input tokens this way with the Llama 3 tokenizer. Reads the prompt's
 * text, so routers that use it route text, not embeddings. The tokenizer is loaded on first use; {@link #close()}
 * frees it (it is loaded again if used after).
 */
public final class TokenizerInputTokens implements InputTokens, AutoCloseable {
    private final int models;
    private final String name;
    private final byte[] tokenizerJson;
    private volatile TextModelRuntime runtime;

    /**
     * @param name          names the tokenizer in messages and manifests ({@code meta-llama/Llama-3.1-8B})
     * @param tokenizerJson the tokenizer.json bytes
     */
    public TokenizerInputTokens(int models, String name, byte[] tokenizerJson) {
        if (models < 1) {
            throw new IllegalArgumentException("models must be >= 1, got " + models);
        }
        this.models = models;
        this.name = Objects.requireNonNull(name, "name");
        this.tokenizerJson = Objects.requireNonNull(tokenizerJson, "tokenizerJson").clone();
        runtime(); // a tokenizer that does not load is an error now, not at the first prompt
    }

    @Override
    public int models() {
        return models;
    }

    @Override
    public String kind() {
        return "tokenizer";
    }

    public String name() {
        return name;
    }

    public byte[] tokenizerJson() {
        return tokenizerJson.clone();
    }

    /** Word pieces of {@code text} under this tokenizer. */
    public int count(String text) {
        return runtime().countTokens(text);
    }

    @Override
    public void estimate(PromptView prompt, double[] out) {
        if (prompt.text() == null) {
            throw new IllegalStateException("this router counts input tokens with the " + name + " tokenizer, which"
                    + " reads the prompt's text: route the text, not an embedding");
        }
        double n = count(prompt.text());
        for (int m = 0; m < models; m++) {
            out[m] = n;
        }
    }

    private TextModelRuntime runtime() {
        TextModelRuntime r = runtime;
        if (r == null) {
            synchronized (this) {
                r = runtime;
                if (r == null) {
                    r = TextModelRuntime.tokenizerOnly("input tokenizer " + name, tokenizerJson);
                    runtime = r;
                }
            }
        }
        return r;
    }

    @Override
    public synchronized void close() {
        TextModelRuntime r = runtime;
        runtime = null;
        if (r != null) {
            r.close();
        }
    }
}
