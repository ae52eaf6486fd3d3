package dev.carrot.route.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What each model costs: USD per one million input tokens and per one million output tokens. Immutable.
 *
 * <p>Loads from carrot's own JSON ({@code {"model": {"input": 3.0, "output": 15.0}, ...}}, USD per 1M tokens, also
 * accepted under a top-level {@code "prices"} key) and from LiteLLM's {@code model_prices_and_context_window.json}
 * ({@code {"model": {"input_cost_per_token": 3e-6, "output_cost_per_token": 1.5e-5, ...}}}, USD per token).
 */
public final class PriceTable {
    private final Map<String, Price> prices;

    private PriceTable(Map<String, Price> prices) {
        this.prices = Collections.unmodifiableMap(new LinkedHashMap<>(prices));
    }

    /**
     * USD per one million tokens.
     */
    public record Price(double inputPerMillion, double outputPerMillion) {
        public Price {
            if (!(inputPerMillion >= 0) || Double.isInfinite(inputPerMillion)) {
                throw new IllegalArgumentException("input price must be a finite number >= 0 USD per 1M tokens, got "
                        + inputPerMillion);
            }
            if (!(outputPerMillion >= 0) || Double.isInfinite(outputPerMillion)) {
                throw new IllegalArgumentException("output price must be a finite number >= 0 USD per 1M tokens, got "
                        + outputPerMillion);
            }
        }

        /** USD for one query with these token counts: the one pricing function of carrot. */
        public double cost(double inputTokens, double outputTokens) {
            return inputPerToken() * inputTokens + outputPerToken() * outputTokens;
        }

        /** USD per input token. */
        public double inputPerToken() {
            return inputPerMillion / 1e6;
        }

        /** USD per output token. */
        public double outputPerToken() {
            return outputPerMillion / 1e6;
        }
    }

    public static PriceTable of(Map<String, Price> prices) {
        Objects.requireNonNull(prices, "prices");
        prices.forEach((k, v) -> {
            if (k == null || k.isBlank()) {
                throw new IllegalArgumentException("model names in a price table must be non-blank");
            }
            Objects.requireNonNull(v, "price of " + k);
        });
        return new PriceTable(prices);
    }

    public Map<String, Price> prices() {
        return prices;
    }

    public Optional<Price> price(String model) {
        return Optional.ofNullable(prices.get(model));
    }

    /** The price of a model, or an exception naming it and the priced models. */
    public Price require(String model) {
        Price p = prices.get(model);
        if (p == null) {
            throw new IllegalArgumentException("no price for model '" + model + "'; the price table has "
                    + prices.keySet());
        }
        return p;
    }

    /** The price of each of {@code models}, in that order (an exception names the first without one). */
    public Price[] forModels(List<String> models) {
        Price[] out = new Price[models.size()];
        for (int m = 0; m < out.length; m++) {
            out[m] = require(models.get(m));
        }
        return out;
    }

    /** A copy with one model's price replaced (or added). */
    public PriceTable with(String model, Price price) {
        Map<String, Price> m = new LinkedHashMap<>(prices);
        m.put(Objects.requireNonNull(model, "model"), Objects.requireNonNull(price, "price"));
        return new PriceTable(m);
    }

    /** Reads a price table from a JSON file in carrot's or LiteLLM's layout (detected per entry). */
    public static PriceTable load(Path file) throws IOException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new IOException("cannot read price table " + file + ": " + e.getMessage(), e);
        }
        return parse(root, file.toString());
    }

    /** Parses a price table; {@code origin} names it in errors. */
    public static PriceTable parse(JsonNode root, String origin) {
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(origin + ": expected a JSON object of model -> price");
        }
        JsonNode table = root.has("prices") && root.get("prices").isObject() ? root.get("prices") : root;
        Map<String, Price> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = table.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String model = e.getKey();
            JsonNode v = e.getValue();
            if (model.equals("sample_spec") || !v.isObject()) {
                continue; // LiteLLM's documentation entry, or metadata
            }
            try {
                if (v.has("input_cost_per_token") || v.has("output_cost_per_token")) {
                    out.put(model, new Price(perToken(v, "input_cost_per_token", origin, model) * 1e6,
                            perToken(v, "output_cost_per_token", origin, model) * 1e6));
                } else if (v.has("input") || v.has("output")) {
                    out.put(model, new Price(number(v, "input", origin, model), number(v, "output", origin, model)));
                }
                // entries without token prices (image models, embeddings priced per call ...) are skipped
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException(origin + ": model '" + model + "': " + ex.getMessage(), ex);
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(origin + ": no prices found; expected {\"model\": {\"input\": usd_per_1M,"
                    + " \"output\": usd_per_1M}} or LiteLLM's {\"model\": {\"input_cost_per_token\": ...,"
                    + " \"output_cost_per_token\": ...}}");
        }
        return new PriceTable(out);
    }

    private static double perToken(JsonNode v, String field, String origin, String model) {
        JsonNode n = v.get(field);
        if (n == null || n.isNull()) {
            return 0.0; // LiteLLM omits a price that is zero
        }
        return numeric(n, field);
    }

    private static double number(JsonNode v, String field, String origin, String model) {
        JsonNode n = v.get(field);
        if (n == null || n.isNull()) {
            throw new IllegalArgumentException("missing '" + field + "' (USD per 1M tokens)");
        }
        return numeric(n, field);
    }

    private static double numeric(JsonNode n, String field) {
        if (n.isNumber()) {
            return n.asDouble();
        }
        if (n.isTextual()) {
            try {
                return Double.parseDouble(n.asText().strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + field + "' is \"" + n.asText() + "\", expected a number");
            }
        }
        throw new IllegalArgumentException("'" + field + "' is " + n + ", expected a number");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PriceTable p && p.prices.equals(prices);
    }

    @Override
    public int hashCode() {
        return prices.hashCode();
    }

    @Override
    public String toString() {
        return "PriceTable" + prices;
    }
}
