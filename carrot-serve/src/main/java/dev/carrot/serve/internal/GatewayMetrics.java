package dev.carrot.serve.internal;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The gateway's metrics, in a registry of its own (never the global one), exposed in Prometheus' text format. Label
 * values come only from the configuration (model names) and fixed sets (endpoints, statuses, reasons), never from
 * what a client sent, so the series stay bounded.
 */
public final class GatewayMetrics {
    /** The model label of requests that never got one (rejected before routing). */
    public static final String NO_MODEL = "none";

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    private final Counter requests = Counter.builder().name("carrot_requests_total")
            .help("Requests answered, by endpoint, chosen (answering) model and HTTP status")
            .labelNames("endpoint", "model", "status").register(registry);
    private final Histogram routing = Histogram.builder().name("carrot_routing_seconds")
            .help("Time to route a request: encode the routed text and decide")
            .classicOnly().classicUpperBounds(0.001, 0.002, 0.004, 0.006, 0.008, 0.01, 0.015, 0.02, 0.03, 0.05,
                    0.075, 0.1, 0.25, 0.5, 1)
            .register(registry);
    private final Histogram upstream = Histogram.builder().name("carrot_upstream_seconds")
            .help("Time of one upstream attempt, from sending to the end of the answer, by model and outcome")
            .labelNames("model", "outcome")
            .classicOnly().classicUpperBounds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120,
                    300)
            .register(registry);
    private final Counter fallbacks = Counter.builder().name("carrot_fallbacks_total")
            .help("Upstream attempts that failed before any byte reached the client and moved on to the next"
                    + " candidate, by the model that failed and why")
            .labelNames("model", "reason").register(registry);
    private final Counter predicted = Counter.builder().name("carrot_predicted_cost_usd_total")
            .help("Predicted cost in USD of answers whose upstream reported usage, by model")
            .labelNames("model").register(registry);
    private final Counter actual = Counter.builder().name("carrot_actual_cost_usd_total")
            .help("Actual cost in USD (usage x price table) of answers whose upstream reported usage, by model")
            .labelNames("model").register(registry);
    private final Counter tokens = Counter.builder().name("carrot_tokens_total")
            .help("Tokens in upstream usage blocks, by model and kind (prompt, completion)")
            .labelNames("model", "kind").register(registry);
    private final Counter noUsage = Counter.builder().name("carrot_answers_without_usage_total")
            .help("Answers whose upstream sent no usage block (their actual cost is unknown), by model")
            .labelNames("model").register(registry);
    private final Gauge inFlight = Gauge.builder().name("carrot_in_flight_requests")
            .help("Requests being handled").register(registry);
    private final Counter streamErrors = Counter.builder().name("carrot_stream_errors_total")
            .help("Streams ended by an error event after they had begun, by model and reason")
            .labelNames("model", "reason").register(registry);

    public void request(String endpoint, String model, int status) {
        requests.labelValues(endpoint, model, Integer.toString(status)).inc();
    }

    public void routingSeconds(double s) {
        routing.observe(s);
    }

    public void upstreamSeconds(String model, String outcome, double s) {
        upstream.labelValues(model, outcome).observe(s);
    }

    public void fallback(String model, String reason) {
        fallbacks.labelValues(model, reason).inc();
    }

    public void streamError(String model, String reason) {
        streamErrors.labelValues(model, reason).inc();
    }

    /** An answer with a usage block: its tokens, and its predicted next to its actual cost when it has a price. */
    public void usage(String model, long promptTokens, long completionTokens, double predictedUsd, double actualUsd) {
        tokens.labelValues(model, "prompt").inc(promptTokens);
        tokens.labelValues(model, "completion").inc(completionTokens);
        if (Double.isFinite(actualUsd)) {
            predicted.labelValues(model).inc(predictedUsd);
            actual.labelValues(model).inc(actualUsd);
        }
    }

    public void withoutUsage(String model) {
        noUsage.labelValues(model).inc();
    }

    public void inFlight(int n) {
        inFlight.set(n);
    }

    public String contentType() {
        return writer.getContentType();
    }

    /** The text exposition of every metric. */
    public byte[] scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        try {
            writer.write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
