package dev.carrot.data.internal;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Split names from file names, the way HuggingFace datasets name their data files. */
public final class SplitNames {
    private static final Pattern SPLIT = Pattern.compile("(?:^|[/_.-])(train|training|validation|valid|val|dev|test)"
            + "(?=$|[/_.-])");

    private SplitNames() {
    }

    /**
     * The split a file or repo path names ({@code data/train-00000-of-00003.parquet} -> {@code train},
     * {@code default/validation/0000.parquet} -> {@code validation}), or {@code null} if it names none or several.
     */
    public static String fromFileName(String path) {
        Matcher m = SPLIT.matcher(path.toLowerCase(Locale.ROOT));
        String found = null;
        while (m.find()) {
            String s = switch (m.group(1)) {
                case "train", "training" -> "train";
                case "validation", "valid", "val", "dev" -> "validation";
                default -> "test";
            };
            if (found != null && !found.equals(s)) {
                return null;
            }
            found = s;
        }
        return found;
    }
}
