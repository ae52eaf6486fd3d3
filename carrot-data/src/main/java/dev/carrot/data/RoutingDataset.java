package dev.carrot.data;


import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An immutable routing dataset: prompts, the models that answered them, how well each model did on each prompt, and
 * optionally what each answer cost.
 *
 * <p>Matrices are stored flat and row-major (prompt-major): cell {@code (i, m)} of a {@code prompts x models} matrix
 * is at index {@code i * modelCount() + m}. Quality is in [0, 1]. Costs are USD per query. Token counts are
 * non-negative. Every prompt has a value for every model: prompts with a missing value are dropped at load time and
 * counted in {@link #provenance()}.
 *
 * <p>Accessors that return arrays return copies.
 */
public final class RoutingDataset {

    /** The conventional split names. Datasets may carry others (for example {@code unsplit}). */
    public static final String TRAIN = "train";
    public static final String VALIDATION = "validation";
    public static final String TEST = "test";

    private final String[] promptIds;
    private final String[] prompts;
    private final String[] tasks; // null when the dataset has no task labels
    private final List<String> models;
    private final double[] quality;
    private final int[] inputTokens; // nullable
    private final int[] outputTokens; // nullable
    private final double[] cost; // nullable
    private final List<String> splitNames;
    private final byte[] splitOf;
    private final DatasetProvenance provenance;

    private RoutingDataset(String[] promptIds, String[] prompts, String[] tasks, List<String> models, double[] quality,
                           int[] inputTokens, int[] outputTokens, double[] cost, List<String> splitNames,
                           byte[] splitOf, DatasetProvenance provenance) {
        this.promptIds = promptIds;
        this.prompts = prompts;
        this.tasks = tasks;
        this.models = models;
        this.quality = quality;
        this.inputTokens = inputTokens;
        this.outputTokens = outputTokens;
        this.cost = cost;
        this.splitNames = splitNames;
        this.splitOf = splitOf;
        this.provenance = provenance;
    }

    /** Starts a dataset over the given models, in this order. */
    public static Builder builder(List<String> models) {
        return new Builder(models);
    }

    public int size() {
        return promptIds.length;
    }

    public int modelCount() {
        return models.size();
    }

    public List<String> models() {
        return models;
    }

    /** Index of a model by name, or -1. */
    public int modelIndex(String model) {
        return models.indexOf(model);
    }

    public String promptId(int i) {
        return promptIds[i];
    }

    public String prompt(int i) {
        return prompts[i];
    }

    /** All prompt texts, in dataset order (an unmodifiable view). */
    public List<String> promptTexts() {
        return Collections.unmodifiableList(Arrays.asList(prompts));
    }

    public boolean hasTasks() {
        return tasks != null;
    }

    /** The prompt's task (source benchmark), if the dataset has task labels. */
    public Optional<String> task(int i) {
        return tasks == null ? Optional.empty() : Optional.ofNullable(tasks[i]);
    }

    public String split(int i) {
        return splitNames.get(splitOf[i]);
    }

    /** Split names present, in order of first appearance. */
    public List<String> splitNames() {
        return splitNames;
    }

    /** Number of prompts per split, in {@link #splitNames()} order. */
    public Map<String, Integer> splitCounts() {
        int[] counts = new int[splitNames.size()];
        for (byte s : splitOf) {
            counts[s]++;
        }
        Map<String, Integer> out = new LinkedHashMap<>();
        for (int s = 0; s < counts.length; s++) {
            out.put(splitNames.get(s), counts[s]);
        }
        return Collections.unmodifiableMap(out);
    }

    /** Row indices of the prompts in any of the given splits, ascending. */
    public int[] indicesOf(String... splits) {
        boolean[] wanted = new boolean[splitNames.size()];
        for (String s : splits) {
            int idx = splitNames.indexOf(s);
            if (idx >= 0) {
                wanted[idx] = true;
            }
        }
        int n = 0;
        for (byte s : splitOf) {
            if (wanted[s]) {
                n++;
            }
        }
        int[] out = new int[n];
        int k = 0;
        for (int i = 0; i < splitOf.length; i++) {
            if (wanted[splitOf[i]]) {
                out[k++] = i;
            }
        }
        return out;
    }

    public double quality(int i, int m) {
        return quality[i * models.size() + m];
    }

    /** A copy of the quality matrix, row-major prompts x models. */
    public double[] qualityMatrix() {
        return quality.clone();
    }

    public boolean hasInputTokens() {
        return inputTokens != null;
    }

    public boolean hasOutputTokens() {
        return outputTokens != null;
    }

    /** True when both input and output token counts are present. */
    public boolean hasTokens() {
        return inputTokens != null && outputTokens != null;
    }

    public boolean hasCost() {
        return cost != null;
    }

    public int inputTokens(int i, int m) {
        return require(inputTokens, "input tokens")[i * models.size() + m];
    }

    public int outputTokens(int i, int m) {
        return require(outputTokens, "output tokens")[i * models.size() + m];
    }

    public double cost(int i, int m) {
        return require(cost, "costs")[i * models.size() + m];
    }

    public int[] inputTokenMatrix() {
        return require(inputTokens, "input tokens").clone();
    }

    public int[] outputTokenMatrix() {
        return require(outputTokens, "output tokens").clone();
    }

    public double[] costMatrix() {
        return require(cost, "costs").clone();
    }

    /** Mean quality of model {@code m} over all prompts. */
    public double meanQuality(int m) {
        return columnMean(quality, m);
    }

    /** Mean cost (USD per query) of model {@code m} over all prompts. */
    public double meanCost(int m) {
        return columnMean(require(cost, "costs"), m);
    }

    public DatasetProvenance provenance() {
        return provenance;
    }

    /**
     * The prompts at the given rows, in the given order. Provenance is kept, with a note of the selection.
     *
     * @throws IllegalArgumentException if a row is out of range
     */
    public RoutingDataset select(int[] rows, String why) {
        Objects.requireNonNull(rows, "rows");
        int m = models.size();
        for (int r : rows) {
            if (r < 0 || r >= size()) {
                throw new IllegalArgumentException("row " + r + " is out of range [0, " + size() + ")");
            }
        }
        Builder b = new Builder(models);
        b.allowDuplicateIds = true; // a selection may repeat a row (bootstrap samples)
        for (int r : rows) {
            b.add(promptIds[r], prompts[r], split(r), tasks == null ? null : tasks[r],
                    Arrays.copyOfRange(quality, r * m, (r + 1) * m),
                    inputTokens == null ? null : Arrays.copyOfRange(inputTokens, r * m, (r + 1) * m),
                    outputTokens == null ? null : Arrays.copyOfRange(outputTokens, r * m, (r + 1) * m),
                    cost == null ? null : Arrays.copyOfRange(cost, r * m, (r + 1) * m));
        }
        List<String> notes = new ArrayList<>(provenance.notes());
        notes.add("selected " + rows.length + " of " + size() + " prompts: " + why);
        return b.build(provenance.source(), provenance.format(), provenance.revision(), provenance.commit(),
                provenance.files(), provenance.rowsRead(), provenance.dropped(), provenance.droppedExamples(), notes);
    }

    /** The prompts of the given splits. */
    public RoutingDataset splits(String... names) {
        return select(indicesOf(names), "splits " + String.join(",", names));
    }

    /**
     * A copy in which the given rows move to another split (used to carve a validation split out of train).
     */
    public RoutingDataset withSplit(int[] rows, String newSplit, String note) {
        Objects.requireNonNull(newSplit, "newSplit");
        if (newSplit.isBlank()) {
            throw new IllegalArgumentException("split name must be non-blank");
        }
        String[] named = new String[splitOf.length];
        for (int i = 0; i < named.length; i++) {
            named[i] = splitNames.get(splitOf[i]);
        }
        for (int r : rows) {
            named[Objects.checkIndex(r, named.length)] = newSplit;
        }
        List<String> names = canonicalSplitOrder(Arrays.asList(named));
        byte[] s = new byte[named.length];
        for (int i = 0; i < named.length; i++) {
            s[i] = (byte) names.indexOf(named[i]);
        }
        List<String> notes = new ArrayList<>(provenance.notes());
        notes.add(note);
        DatasetProvenance p = new DatasetProvenance(provenance.source(), provenance.format(), provenance.revision(),
                provenance.commit(), provenance.files(), provenance.rowsRead(), provenance.dropped(),
                provenance.droppedExamples(), notes,
                contentHash(promptIds, prompts, tasks, models, quality, inputTokens, outputTokens, cost, names, s));
        return new RoutingDataset(promptIds, prompts, tasks, models, quality, inputTokens, outputTokens, cost, names,
                s, p);
    }

    /** Distinct split names: train, validation, test first, then the others in order of first appearance. */
    private static List<String> canonicalSplitOrder(List<String> perRow) {
        java.util.LinkedHashSet<String> seen = new java.util.LinkedHashSet<>(perRow);
        List<String> out = new ArrayList<>();
        for (String c : List.of(TRAIN, VALIDATION, TEST)) {
            if (seen.remove(c)) {
                out.add(c);
            }
        }
        out.addAll(seen);
        if (out.size() > Byte.MAX_VALUE) {
            throw new IllegalArgumentException("too many distinct splits: " + out.size() + " (max " + Byte.MAX_VALUE
                    + ")");
        }
        return List.copyOf(out);
    }

    @Override
    public String toString() {
        return "RoutingDataset[" + provenance.source() + ": " + size() + " prompts x " + modelCount() + " models, splits "
                + splitCounts() + (hasCost() ? ", costs" : "") + (hasTokens() ? ", tokens" : "") + "]";
    }

    private double columnMean(double[] matrix, int m) {
        Objects.checkIndex(m, models.size());
        if (size() == 0) {
            return Double.NaN;
        }
        double sum = 0;
        int stride = models.size();
        for (int i = 0; i < size(); i++) {
            sum += matrix[i * stride + m];
        }
        return sum / size();
    }

    private <T> T require(T matrix, String what) {
        if (matrix == null) {
            throw new IllegalStateException("dataset " + provenance.source() + " has no " + what);
        }
        return matrix;
    }

    static String contentHash(String[] ids, String[] prompts, String[] tasks, List<String> models, double[] quality,
                              int[] in, int[] out, double[] cost, List<String> splitNames, byte[] splitOf) {
        MessageDigest md = Hashing.sha256();
        Hashing.update(md, "carrot-dataset-v1");
        Hashing.update(md, String.join("\u0000", models));
        for (int i = 0; i < ids.length; i++) {
            Hashing.update(md, ids[i]);
            Hashing.update(md, prompts[i]);
            Hashing.update(md, splitNames.get(splitOf[i]));
            Hashing.update(md, tasks == null || tasks[i] == null ? "\u0001" : tasks[i]);
        }
        Hashing.update(md, quality);
        md.update((byte) (in == null ? 0 : 1));
        if (in != null) {
            Hashing.update(md, in);
        }
        md.update((byte) (out == null ? 0 : 1));
        if (out != null) {
            Hashing.update(md, out);
        }
        md.update((byte) (cost == null ? 0 : 1));
        if (cost != null) {
            Hashing.update(md, cost);
        }
        return Hashing.hex(md.digest());
    }

    /**
     * Builds a dataset prompt by prompt, validating every value. Used by the loaders and by code that makes data
     * (tests, the synthetic generator). Optional matrices (tokens, cost) must be given for every prompt or for none.
     */
    public static final class Builder {
        private final List<String> models;
        private final List<String> ids = new ArrayList<>();
        private final List<String> texts = new ArrayList<>();
        private final List<String> taskList = new ArrayList<>();
        private final List<String> splitNames = new ArrayList<>();
        private final Map<String, Integer> splitIndex = new HashMap<>();
        private final Map<String, Integer> seenIds = new HashMap<>();
        private byte[] splitOf = new byte[64];
        private double[] quality = new double[64];
        private int[] in;
        private int[] out;
        private double[] cost;
        private boolean anyTask;
        private boolean allowDuplicateIds;

        private Builder(List<String> models) {
            Objects.requireNonNull(models, "models");
            if (models.isEmpty()) {
                throw new IllegalArgumentException("a routing dataset needs at least one model, got none");
            }
            if (new java.util.HashSet<>(models).size() != models.size()) {
                throw new IllegalArgumentException("model names must be unique, got " + models);
            }
            for (String m : models) {
                if (m == null || m.isBlank()) {
                    throw new IllegalArgumentException("model names must be non-blank, got " + models);
                }
            }
            this.models = List.copyOf(models);
        }

        /** Number of prompts added so far. */
        public int size() {
            return ids.size();
        }

        /**
         * Adds one prompt. {@code quality} has one value per model in [0, 1]; the optional arrays are {@code null}
         * or have one value per model.
         *
         * @throws IllegalArgumentException on a bad value, naming the prompt and model
         */
        public Builder add(String promptId, String prompt, String split, String task, double[] quality,
                           int[] inputTokens, int[] outputTokens, double[] costUsd) {
            // validate everything first: a rejected prompt leaves the builder as it was
            Objects.requireNonNull(promptId, "promptId");
            Objects.requireNonNull(prompt, "prompt of " + promptId);
            Objects.requireNonNull(split, "split of " + promptId);
            if (split.isBlank()) {
                throw new IllegalArgumentException("prompt '" + promptId + "': split name must be non-blank");
            }
            if (!allowDuplicateIds && seenIds.containsKey(promptId)) {
                throw new IllegalArgumentException("duplicate prompt id '" + promptId + "'");
            }
            int m = models.size();
            int row = ids.size();
            checkLength(promptId, "quality", quality, m);
            for (int j = 0; j < m; j++) {
                double q = quality[j];
                if (!(q >= 0.0 && q <= 1.0)) {
                    throw new IllegalArgumentException("prompt '" + promptId + "', model '" + models.get(j)
                            + "': quality must be in [0, 1], got " + q);
                }
            }
            checkTokens(row, promptId, "input tokens", in, inputTokens);
            checkTokens(row, promptId, "output tokens", out, outputTokens);
            if (row > 0 && (cost == null) != (costUsd == null)) {
                throw new IllegalArgumentException("prompt '" + promptId + "': costs must be given for every prompt or"
                        + " for none");
            }
            if (costUsd != null) {
                checkLength(promptId, "cost", costUsd, m);
                for (int j = 0; j < m; j++) {
                    double c = costUsd[j];
                    if (!(c >= 0.0) || Double.isInfinite(c)) {
                        throw new IllegalArgumentException("prompt '" + promptId + "', model '" + models.get(j)
                                + "': cost must be a finite number >= 0, got " + c);
                    }
                }
            }
            if (!splitIndex.containsKey(split) && splitNames.size() >= Byte.MAX_VALUE) {
                throw new IllegalArgumentException("too many distinct splits (max " + Byte.MAX_VALUE + ")");
            }
            // then store
            if (row == 0) {
                in = inputTokens == null ? null : new int[this.quality.length];
                out = outputTokens == null ? null : new int[this.quality.length];
                cost = costUsd == null ? null : new double[this.quality.length];
            }
            ensureCapacity(row + 1);
            System.arraycopy(quality, 0, this.quality, row * m, m);
            if (inputTokens != null) {
                System.arraycopy(inputTokens, 0, in, row * m, m);
            }
            if (outputTokens != null) {
                System.arraycopy(outputTokens, 0, out, row * m, m);
            }
            if (costUsd != null) {
                System.arraycopy(costUsd, 0, cost, row * m, m);
            }
            Integer s = splitIndex.get(split);
            if (s == null) {
                s = splitNames.size();
                splitNames.add(split);
                splitIndex.put(split, s);
            }
            splitOf[row] = (byte) (int) s;
            seenIds.putIfAbsent(promptId, row);
            ids.add(promptId);
            texts.add(prompt);
            taskList.add(task);
            anyTask |= task != null;
            return this;
        }

        private void checkTokens(int row, String promptId, String what, int[] matrix, int[] values) {
            int m = models.size();
            if (row > 0 && (matrix == null) != (values == null)) {
                throw new IllegalArgumentException("prompt '" + promptId + "': " + what
                        + " must be given for every prompt or for none");
            }
            if (values != null) {
                if (values.length != m) {
                    throw new IllegalArgumentException("prompt '" + promptId + "': " + what + " has " + values.length
                            + " values, expected one per model (" + m + ")");
                }
                for (int j = 0; j < m; j++) {
                    if (values[j] < 0) {
                        throw new IllegalArgumentException("prompt '" + promptId + "', model '" + models.get(j) + "': "
                                + what + " must be >= 0, got " + values[j]);
                    }
                }
            }
        }

        private void checkLength(String promptId, String what, double[] values, int m) {
            Objects.requireNonNull(values, what + " of " + promptId);
            if (values.length != m) {
                throw new IllegalArgumentException("prompt '" + promptId + "': " + what + " has " + values.length
                        + " values, expected one per model (" + m + ")");
            }
        }

        private void ensureCapacity(int rows) {
            int m = models.size();
            if (splitOf.length >= rows && quality.length >= rows * m) {
                return;
            }
            int cap = Math.max(rows, splitOf.length * 2);
            splitOf = Arrays.copyOf(splitOf, cap);
            quality = Arrays.copyOf(quality, cap * m);
            if (in != null) {
                in = Arrays.copyOf(in, cap * m);
            }
            if (out != null) {
                out = Arrays.copyOf(out, cap * m);
            }
            if (cost != null) {
                cost = Arrays.copyOf(cost, cap * m);
            }
        }

        /** Builds a dataset made in code (format {@code builder}). */
        public RoutingDataset build(String source) {
            return build(source, "builder", Optional.empty(), Optional.empty(), List.of(), size(), Map.of(), Map.of(),
                    List.of());
        }

        /** Builds with full provenance; used by the loaders. */
        public RoutingDataset build(String source, String format, Optional<String> revision, Optional<String> commit,
                                    List<DatasetProvenance.SourceFile> files, long rowsRead,
                                    Map<String, Integer> dropped, Map<String, List<String>> droppedExamples,
                                    List<String> notes) {
            int n = ids.size();
            int m = models.size();
            String[] idArr = ids.toArray(new String[0]);
            String[] textArr = texts.toArray(new String[0]);
            String[] taskArr = anyTask ? taskList.toArray(new String[0]) : null;
            double[] q = Arrays.copyOf(quality, n * m);
            int[] inArr = in == null ? null : Arrays.copyOf(in, n * m);
            int[] outArr = out == null ? null : Arrays.copyOf(out, n * m);
            double[] costArr = cost == null ? null : Arrays.copyOf(cost, n * m);
            List<String> perRow = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                perRow.add(splitNames.get(splitOf[i]));
            }
            List<String> splits = canonicalSplitOrder(perRow);
            byte[] s = new byte[n];
            for (int i = 0; i < n; i++) {
                s[i] = (byte) splits.indexOf(perRow.get(i));
            }
            String hash = contentHash(idArr, textArr, taskArr, models, q, inArr, outArr, costArr, splits, s);
            DatasetProvenance p = new DatasetProvenance(source, format, revision, commit, files, rowsRead, dropped,
                    droppedExamples, notes, hash);
            return new RoutingDataset(idArr, textArr, taskArr, models, q, inArr, outArr, costArr, splits, s, p);
        }
    }
}
