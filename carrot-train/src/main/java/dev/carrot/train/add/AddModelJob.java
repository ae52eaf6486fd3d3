package dev.carrot.train.add;

import dev.carrot.data.RoutingDataset;
import dev.carrot.route.Router;
import dev.carrot.route.encoder.PromptEncoder;
import dev.carrot.route.io.RouterArtifact;
import dev.carrot.route.model.CostModel;
import dev.carrot.route.model.PriceTable;
import dev.carrot.route.model.RouterModel;
import dev.carrot.train.Embedded;
import dev.carrot.train.Progress;
import dev.carrot.train.TrainJob;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * {@code carrot add-model} as a library call: reads a router, checks that it can take the new model, embeds the new
 * model's prompts with the router's encoder, adds the model ({@link ModelAddition}), writes the new router into a
 * staging folder beside the output, loads it back and checks that it predicts what was computed, and only then puts
 * it in place in one move ({@link RouterArtifact#install}). A failed run leaves the output as it was.
 */
public final class AddModelJob {
    private static final Logger LOG = LoggerFactory.getLogger(AddModelJob.class);

    private final ModelAddition.Options options;
    private final PromptEncoder encoder;
    private final Instant created;

    public AddModelJob(ModelAddition.Options options, PromptEncoder encoder, Instant created) {
        this.options = Objects.requireNonNull(options, "options");
        this.encoder = Objects.requireNonNull(encoder, "encoder");
        this.created = Objects.requireNonNull(created, "created");
    }

    /**
     * What the job did.
     *
     * @param routerDir the router that was extended
     * @param out       where the new router is
     */
    public record Report(Path routerDir, Path out, ModelAddition.Result result) {
        /** A few lines for the terminal. */
        public String describe() {
            StringBuilder sb = new StringBuilder();
            Map<String, Object> r = result.report();
            sb.append(String.format(Locale.ROOT, "added %s to %s from %s labelled prompts%s%n", r.get("model"),
                    routerDir, r.get("labelled_prompts"), r.containsKey("labelled_stored_prompts")
                            ? " (" + r.get("labelled_stored_prompts") + " of them stored prompts of the router)" : ""));
            sb.append("models: ").append(result.model().models()).append(System.lineSeparator());
            @SuppressWarnings("unchecked")
            Map<String, Object> fits = (Map<String, Object>) r.get("fits");
            fits.forEach((path, f) -> sb.append("  ").append(path).append(": ").append(summary(f))
                    .append(System.lineSeparator()));
            @SuppressWarnings("unchecked")
            Map<String, Object> cal = (Map<String, Object>) r.get("budget_calibration");
            sb.append("budget calibration: ").append(Boolean.TRUE.equals(cal.get("recomputed"))
                    ? "recomputed on " + cal.get("prompts") + " labelled prompts" : "none (" + cal.get("reason") + ")")
                    .append(System.lineSeparator());
            for (String w : result.warnings()) {
                sb.append("warning: ").append(w).append(System.lineSeparator());
            }
            sb.append("router: ").append(out.toAbsolutePath()).append(System.lineSeparator());
            return sb.toString();
        }

        private static String summary(Object fit) {
            if (!(fit instanceof Map<?, ?> m)) {
                return String.valueOf(fit);
            }
            if (m.containsKey("lambda")) {
                return String.format(Locale.ROOT, "knn column, penalty %s, local correction k = %s, weight %s",
                        m.get("lambda"), m.get("residual_k"), m.get("residual_weight"));
            }
            if (m.containsKey("own_lambda")) {
                return String.format(Locale.ROOT, "linear weights, prior penalty %s, own penalty %s", m.get(
                        "prior_lambda"), m.get("own_lambda"));
            }
            return String.valueOf(m.get("method"));
        }
    }

    /**
     * The router artifact of {@code dir}: the folder itself when it holds a manifest, else the default router of a
     * {@code carrot train} output folder.
     */
    public static Path resolveRouter(Path dir) {
        if (Files.isRegularFile(dir.resolve(RouterArtifact.MANIFEST))) {
            return dir;
        }
        Path inner = dir.resolve("router");
        if (Files.isRegularFile(inner.resolve(RouterArtifact.MANIFEST))) {
            return inner;
        }
        throw new IllegalArgumentException(dir + " is neither a router artifact (no " + RouterArtifact.MANIFEST
                + ") nor a carrot train output folder (no router/" + RouterArtifact.MANIFEST + ")");
    }

    /**
     * Checks, before any work, that {@code out} may be written: it does not exist, is empty, or (with
     * {@code force}) is a router artifact to replace.
     */
    public static void checkOut(Path out, Path router, boolean force) throws IOException {
        if (!Files.exists(out)) {
            return;
        }
        if (!Files.isDirectory(out)) {
            throw new FileAlreadyExistsException(out.toString(), null, "exists and is not a folder");
        }
        boolean empty;
        try (var s = Files.list(out)) {
            empty = s.findAny().isEmpty();
        }
        if (empty) {
            return;
        }
        if (!Files.isRegularFile(out.resolve(RouterArtifact.MANIFEST))) {
            throw new FileAlreadyExistsException(out.toString(), null, "is a non-empty folder that is not a router"
                    + " artifact; choose another --out");
        }
        if (!force) {
            boolean same = Files.isSameFile(out, router);
            throw new IllegalArgumentException("--out " + out + (same ? " is the router being extended" : " holds a"
                    + " router artifact") + "; pass --force to replace it");
        }
    }

    /**
     * Adds the model of {@code data} to the router in {@code routerDir} and writes the new router to {@code out}.
     *
     * @param price   the new model's price (required for token-priced routers)
     * @param command the command line, for the provenance
     */
    public Report run(Path routerDir, RoutingDataset data, Optional<PriceTable.Price> price, Path out, boolean force,
                      Map<String, Object> command) throws IOException {
        Path dir = resolveRouter(routerDir);
        checkOut(out, dir, force);
        RouterModel base = RouterArtifact.read(dir);
        ModelAddition.checkExtensible(base);
        if (!base.textOnly()) {
            encoder.info().requireCompatibleWith(base.encoder());
        }
        RoutingDataset labelled = data; // every row is a label, whatever its split
        if (labelled.modelCount() == 1 && base.models().contains(labelled.models().get(0))) {
            throw new IllegalArgumentException("model '" + labelled.models().get(0) + "' is already in the router"
                    + " (models: " + base.models() + "); give the new model another name, or retrain to replace it");
        }
        if (labelled.modelCount() != 1) {
            throw new IllegalArgumentException(data.provenance().source() + " has rows for " + labelled.modelCount()
                    + " models " + labelled.models() + "; add-model takes the rows of one new model");
        }
        Embedded emb;
        try (Progress p = Progress.start("embedding the new model's prompts", labelled.size())) {
            emb = Embedded.of(labelled, encoder, base.cost() instanceof CostModel.Tokens, p);
        }
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("command", command);
        var dp = labelled.provenance();
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("source", dp.source());
        d.put("content_sha256", dp.contentSha256());
        d.put("files", dp.files().stream().map(f -> Map.of("path", f.path(), "sha256", f.sha256())).toList());
        d.put("dropped", dp.dropped());
        entry.put("data", d);
        ModelAddition.Result result = new ModelAddition(options).add(base, labelled, emb, price, entry, created);

        Path target = out.toAbsolutePath().normalize();
        Files.createDirectories(target.getParent());
        Path staging = target.resolveSibling("." + target.getFileName() + ".staging-" + UUID.randomUUID());
        try {
            RouterArtifact.write(result.model(), staging);
            checkParity(result.model(), staging, emb);
            RouterArtifact.install(staging, target);
        } finally {
            deleteRecursively(staging);
        }
        LOG.info("wrote {} with models {}", target, result.model().models());
        return new Report(dir, target, result);
    }

    private static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (var s = Files.walk(p)) {
            for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }

    /** The written router must predict, for the labelled prompts, what the in-memory one predicts. */
    private static void checkParity(RouterModel model, Path written, Embedded emb) throws IOException {
        double worst = 0;
        try (Router a = Router.of(model, null); Router b = Router.load(written)) {
            int dim = emb.dimension();
            float[] x = new float[dim];
            for (int i = 0; i < emb.rows(); i++) {
                System.arraycopy(emb.vectors(), i * dim, x, 0, dim);
                int t = emb.tokens() == null ? -1 : emb.tokens()[i];
                Router.Prediction p = a.predict(x, t);
                Router.Prediction q = b.predict(x, t);
                for (int m = 0; m < p.quality().length; m++) {
                    worst = Math.max(worst, Math.abs(p.quality()[m] - q.quality()[m]));
                    worst = Math.max(worst, Math.abs(p.costUsd()[m] - q.costUsd()[m]) / model.costScaleUsd());
                }
            }
        }
        if (worst > TrainJob.PARITY_TOLERANCE) {
            throw new IllegalStateException(String.format(Locale.ROOT, "the written router does not reproduce the"
                    + " computed one: max difference %.3g (tolerance %.0e)", worst, TrainJob.PARITY_TOLERANCE));
        }
    }
}
