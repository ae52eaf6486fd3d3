package dev.carrot.route.model;

/**
 * How a token-priced router estimates the input tokens of a prompt on each model, since the models' own tokenizers
 * are not at hand: from the router's encoder's word-piece count ({@link InputTokenModel}, fitted per model on the
 * training data), or by counting with a given tokenizer ({@link TokenizerInputTokens}, e.g. Llama 3's, the same
 * count for every model, as CARROT's published router does).
 */
public sealed interface InputTokens permits InputTokenModel, TokenizerInputTokens {

    /** Number of models covered. */
    int models();

    /** A short name for manifests ({@code encoder_token_linear}, {@code tokenizer}). */
    String kind();

    /** Fills the estimated input tokens of the prompt on each model. */
    void estimate(PromptView prompt, double[] out);
}
