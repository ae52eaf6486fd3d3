package dev.carrot.serve.internal;

import dev.carrot.route.Decision;
import dev.carrot.route.DecisionJson;
import dev.carrot.route.NoModelFitsException;
import dev.carrot.route.Receipt;
import dev.carrot.route.RouteOptions;
import dev.carrot.route.Router;
import dev.carrot.route.encoder.EncoderOptions;
import dev.carrot.route.encoder.Encoders;
import dev.carrot.route.encoder.PromptEncoder;
import dev.carrot.route.io.RouterArtifact;
import dev.carrot.route.model.CarrotVersion;
import dev.carrot.route.model.PriceTable;
import dev.carrot.route.model.RouterModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The gateway's one door to carrot-route: loads the router (with its encoder and, optionally, other prices), routes
 * text, and prices a usage block. Every other class of carrot-serve sees only {@link Routed}.
 */
public final class RouterAdapter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RouterAdapter.class);

    private final Router router;
    private final PromptEncoder encoder; // null: the router reads the prompt's text itself
    private final List<AutoCloseable> natives; // the loaded model's ONNX sessions and tokenizers
    private final PriceTable actualPrices; // null: actual cost unknown

    private RouterAdapter(Router router, PromptEncoder encoder, List<AutoCloseable> natives,
                          PriceTable actualPrices) {
        this.router = router;
        this.encoder = encoder;
        this.natives = natives;
        this.actualPrices = actualPrices;
    }

    /**
     * Loads the router artifact with its encoder (the built-in all-MiniLM-L6-v2 unless {@code encoderDir} is given;
     * none for a router whose predictors read the prompt's text) and applies a price file with
     * {@code Router.withPrices}.
     *
     * @throws IllegalArgumentException naming the config key ({@code router}, {@code encoder}, {@code prices}) when
     *                                  something does not fit
     */
    public static RouterAdapter open(Path routerDir, Optional<Path> encoderDir, int encoderThreads,
                                     Optional<Path> pricesFile) throws IOException {
        RouterModel model;
        try {
            model = RouterArtifact.read(routerDir);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("router: " + routerDir + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new IOException("router: cannot load " + routerDir + ": " + e.getMessage(), e);
        }
        List<AutoCloseable> natives = model.nativeResources();
        PromptEncoder enc = null;
        Router base = null;
        try {
            if (!model.textOnly()) {
                // the token limit and truncation side the router was trained with; without an encoder folder, the
                // built-in encoder it names (MiniLM when it names none of them: the check below then explains)
                EncoderOptions opts = new EncoderOptions().withIntraOpThreads(encoderThreads)
                        .withSettingsOf(model.encoder());
                enc = encoderDir.isPresent() ? Encoders.fromDirectory(encoderDir.get(), opts)
                        : Encoders.builtInFor(model.encoder(), opts).orElseGet(() -> Encoders.miniLm(opts));
            } else if (encoderDir.isPresent()) {
                LOG.info("the router reads the prompt's text itself; the encoder {} is not used", encoderDir.get());
            }
            try {
                base = Router.of(model, enc);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("router: " + routerDir + ": " + e.getMessage()
                        + (encoderDir.isEmpty() ? "; if it was trained with another encoder, set \"encoder\" to its"
                        + " folder" : ""), e);
            }
            Router r = base;
            PriceTable actual = base.prices().orElse(null);
            if (pricesFile.isPresent()) {
                PriceTable pt;
                try {
                    pt = PriceTable.load(pricesFile.get());
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("prices: " + e.getMessage(), e);
                }
                if (base.prices().isPresent()) {
                    try {
                        r = base.withPrices(pt);
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("prices: " + pricesFile.get() + ": " + e.getMessage(), e);
                    }
                    base.close(); // r shares the encoder holder; the caller's encoder is never closed by a router
                } else {
                    LOG.info("the router predicts cost without token prices ({}); the price file {} is used only for"
                            + " the actual cost of answers", base.model().cost().kind(), pricesFile.get());
                }
                actual = pt;
            }
            return new RouterAdapter(r, enc, natives, actual);
        } catch (RuntimeException | IOException e) {
            if (base != null) {
                base.close();
            }
            if (enc != null) {
                enc.close();
            }
            closeAll(natives);
            throw e;
        }
    }

    private static void closeAll(List<AutoCloseable> natives) {
        for (AutoCloseable c : natives) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("closing {}: {}", c, e.toString());
            }
        }
    }

    /** carrot's version, for the User-Agent of upstream calls. */
    public static String version() {
        return CarrotVersion.VERSION;
    }

    /** The router's models, in its order. */
    public List<String> models() {
        return router.models();
    }

    /** Whether budgets can be routed (the router has a budget calibration for its prices). */
    public boolean hasBudgetCalibration() {
        return router.calibration().isPresent();
    }

    /** The encoder's id, for logs. */
    public String encoderId() {
        return encoder == null ? "none (the router reads the prompt's text)" : encoder.info().id();
    }

    /** Routes a text once, so that the first request does not pay for the encoder's first run. */
    public void warmUp() {
        router.route("Warm up the encoder: how do I reverse a list in Python?", 0.5);
    }

    /**
     * Routes a text with mu (when {@code budgetUsd} is empty) or within a budget, among {@code candidates} (router
     * models, non-empty), under an optional cost cap.
     *
     * @throws NoModelFits when a cost cap leaves no candidate
     */
    public Routed route(String text, double mu, OptionalDouble budgetUsd, Collection<String> candidates,
                        OptionalDouble maxCostUsd) {
        RouteOptions opts = RouteOptions.defaults().onlyModels(candidates);
        if (maxCostUsd.isPresent()) {
            opts = opts.withMaxCostUsd(maxCostUsd.getAsDouble()).onNoFit(RouteOptions.NoFit.FAIL);
        }
        Decision d;
        try {
            d = budgetUsd.isPresent() ? router.routeWithBudget(text, budgetUsd.getAsDouble(), opts)
                    : router.route(text, mu, opts);
        } catch (NoModelFitsException e) {
            throw new NoModelFits(e.getMessage());
        }
        List<Routed.Candidate> ranked = new ArrayList<>();
        for (Receipt r : d.candidatesByUtility()) { // best first, the chosen model at the head also on a tie
            ranked.add(new Routed.Candidate(r.model(), r.costUsd(), r.utility()));
        }
        return new Routed(d.model(), d.mu(), ranked, DecisionJson.write(d));
    }

    /** What an answer cost, from its usage block and the price table; empty when the model has no price. */
    public OptionalDouble actualCostUsd(String model, long promptTokens, long completionTokens) {
        if (actualPrices == null) {
            return OptionalDouble.empty();
        }
        Optional<PriceTable.Price> p = actualPrices.price(model);
        return p.isEmpty() ? OptionalDouble.empty() : OptionalDouble.of(p.get().cost(promptTokens, completionTokens));
    }

    /** Closes the router and the encoder. */
    @Override
    public void close() {
        router.close();
        if (encoder != null) {
            encoder.close();
        }
        closeAll(natives);
    }
}
