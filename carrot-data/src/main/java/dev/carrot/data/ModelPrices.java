package dev.carrot.data;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Prices of a dataset's models in USD per one million input and output tokens, as a dataset descriptor gives them.
 * (The router has its own, richer price table; this one travels with the data.)
 *
 * @param source where the prices came from, for provenance (for example {@code datasets/sprout.json})
 * @param prices model name -> price
 */
public record ModelPrices(String source, Map<String, Price> prices) {

    public ModelPrices {
        Objects.requireNonNull(source, "source");
        prices = Collections.unmodifiableMap(new LinkedHashMap<>(prices));
    }

    /** The price of a model, or an {@link IllegalArgumentException} naming the model and the known ones. */
    public Price require(String model) {
        Price p = prices.get(model);
        if (p == null) {
            throw new IllegalArgumentException("no price for model '" + model + "' in " + source + "; priced models: "
                    + prices.keySet());
        }
        return p;
    }

    /**
     * USD per one million tokens.
     */
    public record Price(double inputPerMillion, double outputPerMillion) {
        public Price {
            if (!(inputPerMillion >= 0) || Double.isInfinite(inputPerMillion)) {
                throw new IllegalArgumentException("input price must be a finite number >= 0, got " + inputPerMillion);
            }
            if (!(outputPerMillion >= 0) || Double.isInfinite(outputPerMillion)) {
                throw new IllegalArgumentException("output price must be a finite number >= 0, got "
                        + outputPerMillion);
            }
        }
    }
}
