package dev.carrot.data;


import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How prompts get their split when the data does not say, and how a validation split is carved out of train when the
 * data has none.
 *
 * <p>Both use a hash of the prompt id, never a random number generator, so a prompt lands in the same split on every
 * run and machine, and adding or removing other prompts does not move it: {@code u = SHA-256(salt + ":" +
 * prompt_id)} read as a number in [0, 1). Unsplit data: {@code u < trainFraction} is train, then validation up to
 * {@code trainFraction + validationFraction}, the rest test. Data with train but no validation: train prompts with a
 * second, independent {@code u' < carveFraction} become validation.
 *
 * @param trainFraction      share of unsplit data that goes to train
 * @param validationFraction share of unsplit data that goes to validation
 * @param carveFraction      share of train moved to validation when the data has train but no validation; 0 keeps
 *                           train whole
 * @param salt               changes every assignment at once (a different, still stable, split)
 */
public record SplitPolicy(double trainFraction, double validationFraction, double carveFraction, String salt) {

    /** The split name loaders use for prompts whose split is not known yet. */
    public static final String UNASSIGNED = "\u0000unassigned";

    /** 70% train, 10% validation, 20% test for unsplit data; 10% of train carved out as validation. */
    public SplitPolicy() {
        this(0.7, 0.1, 0.1, "carrot-split-v1");
    }

    public SplitPolicy {
        Objects.requireNonNull(salt, "salt");
        if (!(trainFraction > 0 && trainFraction < 1)) {
            throw new IllegalArgumentException("trainFraction must be in (0, 1), got " + trainFraction);
        }
        if (!(validationFraction >= 0 && trainFraction + validationFraction < 1)) {
            throw new IllegalArgumentException("validationFraction must be >= 0 and leave room for a test split, got "
                    + validationFraction + " with trainFraction " + trainFraction);
        }
        if (!(carveFraction >= 0 && carveFraction < 1)) {
            throw new IllegalArgumentException("carveFraction must be in [0, 1), got " + carveFraction);
        }
    }

    /** The stable number in [0, 1) of a prompt id under this policy's salt and a purpose tag. */
    public double unit(String promptId, String purpose) {
        MessageDigest md = Hashing.sha256();
        md.update((salt + ":" + purpose + ":" + promptId).getBytes(StandardCharsets.UTF_8));
        byte[] h = md.digest();
        long x = 0;
        for (int i = 0; i < 8; i++) {
            x = (x << 8) | (h[i] & 0xff);
        }
        return (x >>> 11) * 0x1.0p-53;
    }

    /** The split of an unsplit prompt. */
    public String assign(String promptId) {
        double u = unit(promptId, "split");
        if (u < trainFraction) {
            return RoutingDataset.TRAIN;
        }
        return u < trainFraction + validationFraction ? RoutingDataset.VALIDATION : RoutingDataset.TEST;
    }

    /**
     * Applies the policy: assigns unassigned prompts, then carves validation out of train if there is no validation.
     * Each step is noted in the provenance.
     */
    public RoutingDataset apply(RoutingDataset data) {
        RoutingDataset out = data;
        if (out.splitNames().contains(UNASSIGNED)) {
            List<int[]> groups = new ArrayList<>();
            String[] names = {RoutingDataset.TRAIN, RoutingDataset.VALIDATION, RoutingDataset.TEST};
            List<List<Integer>> rows = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
            for (int i : out.indicesOf(UNASSIGNED)) {
                String s = assign(out.promptId(i));
                rows.get(s.equals(RoutingDataset.TRAIN) ? 0 : s.equals(RoutingDataset.VALIDATION) ? 1 : 2).add(i);
            }
            for (List<Integer> r : rows) {
                groups.add(r.stream().mapToInt(Integer::intValue).toArray());
            }
            for (int g = 0; g < 3; g++) {
                out = out.withSplit(groups.get(g), names[g], g == 0
                        ? String.format(java.util.Locale.ROOT, "no split column: split by SHA-256 of prompt_id (salt"
                        + " '%s'): %.0f%% train, %.0f%% validation, %.0f%% test", salt, 100 * trainFraction,
                        100 * validationFraction, 100 * (1 - trainFraction - validationFraction))
                        : "assigned " + groups.get(g).length + " unsplit prompts to " + names[g]);
            }
        }
        if (carveFraction > 0 && out.splitNames().contains(RoutingDataset.TRAIN)
                && !out.splitNames().contains(RoutingDataset.VALIDATION)) {
            int[] train = out.indicesOf(RoutingDataset.TRAIN);
            int[] moved = java.util.Arrays.stream(train).filter(i -> unit(data.promptId(i), "carve") < carveFraction)
                    .toArray();
            out = out.withSplit(moved, RoutingDataset.VALIDATION, String.format(java.util.Locale.ROOT,
                    "no validation split: moved %d of %d train prompts (%.0f%%, by SHA-256 of prompt_id, salt '%s')"
                            + " to validation", moved.length, train.length, 100 * carveFraction, salt));
        }
        return out;
    }
}
