package dev.carrot.train.add;

import dev.carrot.data.DatasetProvenance;
import dev.carrot.data.RoutingDataset;

import java.util.ArrayList;
import java.util.List;

/**
 * Datasets with fewer models, for leaving a model out of training and adding it back: every prompt of a dataset
 * without one model's column, or one model's column on some prompts. Prompts, splits, tasks and the provenance's
 * source, files and drops are kept; a note says what was taken.
 */
public final class ModelColumns {
    private ModelColumns() {
    }

    /** Every prompt of {@code data} without model {@code model}. */
    public static RoutingDataset without(RoutingDataset data, String model) {
        int drop = index(data, model);
        List<String> keep = new ArrayList<>(data.models());
        keep.remove(drop);
        int[] cols = new int[keep.size()];
        for (int j = 0, c = 0; j < data.modelCount(); j++) {
            if (j != drop) {
                cols[c++] = j;
            }
        }
        int[] rows = java.util.stream.IntStream.range(0, data.size()).toArray();
        return columns(data, keep, cols, rows, "without model " + model);
    }

    /** Model {@code model} alone, on the prompts at {@code rows} (in that order). */
    public static RoutingDataset only(RoutingDataset data, String model, int[] rows) {
        return columns(data, List.of(model), new int[]{index(data, model)}, rows, "model " + model + " on "
                + rows.length + " prompts");
    }

    private static int index(RoutingDataset data, String model) {
        int j = data.modelIndex(model);
        if (j < 0) {
            throw new IllegalArgumentException("dataset " + data.provenance().source() + " has no model '" + model
                    + "' (models: " + data.models() + ")");
        }
        return j;
    }

    private static RoutingDataset columns(RoutingDataset data, List<String> models, int[] cols, int[] rows,
                                          String why) {
        RoutingDataset.Builder b = RoutingDataset.builder(models);
        int k = cols.length;
        for (int r : rows) {
            double[] q = new double[k];
            int[] in = data.hasInputTokens() ? new int[k] : null;
            int[] out = data.hasOutputTokens() ? new int[k] : null;
            double[] c = data.hasCost() ? new double[k] : null;
            for (int j = 0; j < k; j++) {
                q[j] = data.quality(r, cols[j]);
                if (in != null) {
                    in[j] = data.inputTokens(r, cols[j]);
                }
                if (out != null) {
                    out[j] = data.outputTokens(r, cols[j]);
                }
                if (c != null) {
                    c[j] = data.cost(r, cols[j]);
                }
            }
            b.add(data.promptId(r), data.prompt(r), data.split(r), data.task(r).orElse(null), q, in, out, c);
        }
        DatasetProvenance p = data.provenance();
        List<String> notes = new ArrayList<>(p.notes());
        notes.add(why);
        return b.build(p.source(), p.format(), p.revision(), p.commit(), p.files(), p.rowsRead(), p.dropped(),
                p.droppedExamples(), notes);
    }
}
