package dev.carrot.springai.autoconfigure;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * carrot's Spring Boot settings, checked at start-up; an error names the key.
 *
 * <pre>
 * carrot.router.path=/srv/carrot/router          # a router folder written by carrot train
 * carrot.mu=0.3                                  # or carrot.budget-usd=0.0005
 * carrot.models[gpt-4o]=openAiGpt4o              # router model name -> ChatModel bean name
 * carrot.models[gpt-4o-mini]=openAiGpt4oMini
 * carrot.max-cost-usd=0.01                       # optional cap per call
 * carrot.max-fallbacks=2
 * </pre>
 * Model names with dots or slashes need the bracket form shown ({@code carrot.models[gpt-3.5-turbo]=...}).
 *
 * @param router       {@code carrot.router.path}: the router folder
 * @param mu           {@code carrot.mu}: the default trade-off in [0, 1] (0.3 unless set)
 * @param budgetUsd    {@code carrot.budget-usd}: a default budget in USD per query instead of mu
 * @param maxCostUsd   {@code carrot.max-cost-usd}: a default cap on a call's predicted cost
 * @param maxFallbacks {@code carrot.max-fallbacks}: candidates tried after the first fails (0 to 10, 2 unless set)
 * @param models       {@code carrot.models}: each routed model's name in the router, mapped to its ChatModel bean
 */
@ConfigurationProperties("carrot")
public record CarrotProperties(RouterProperties router, Double mu, Double budgetUsd, Double maxCostUsd,
                               Integer maxFallbacks, Map<String, String> models) {

    /** @param path {@code carrot.router.path} */
    public record RouterProperties(Path path) {
    }

    public CarrotProperties {
        if (router == null || router.path() == null) {
            throw new IllegalArgumentException("carrot.router.path: missing; set it to a router folder written by"
                    + " carrot train");
        }
        if (mu != null && !(mu >= 0 && mu <= 1)) {
            throw new IllegalArgumentException("carrot.mu: must be in [0, 1], got " + mu);
        }
        if (mu != null && budgetUsd != null) {
            throw new IllegalArgumentException("carrot.mu, carrot.budget-usd: give one, not both (a budget is turned"
                    + " into mu by the router's calibration)");
        }
        if (budgetUsd != null && (!(budgetUsd > 0) || budgetUsd.isInfinite())) {
            throw new IllegalArgumentException("carrot.budget-usd: must be a number > 0 (USD per query), got "
                    + budgetUsd);
        }
        if (maxCostUsd != null && (!(maxCostUsd >= 0) || maxCostUsd.isInfinite())) {
            throw new IllegalArgumentException("carrot.max-cost-usd: must be a finite number >= 0, got " + maxCostUsd);
        }
        if (maxFallbacks != null && (maxFallbacks < 0 || maxFallbacks > 10)) {
            throw new IllegalArgumentException("carrot.max-fallbacks: must be in 0..10, got " + maxFallbacks);
        }
        if (models == null || models.isEmpty()) {
            throw new IllegalArgumentException("carrot.models: missing; map each router model to its ChatModel bean,"
                    + " e.g. carrot.models[gpt-4o]=openAiGpt4o");
        }
        models = Map.copyOf(new LinkedHashMap<>(models));
    }
}
