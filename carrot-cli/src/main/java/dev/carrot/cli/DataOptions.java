package dev.carrot.cli;

import dev.carrot.data.DatasetLoader;
import dev.carrot.data.RoutingDataset;
import dev.carrot.data.hf.HfConfig;
import dev.carrot.data.hf.HfHubException;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The options that say which data to load. Without {@code --data}: SPROUT when the Hub or the HF cache has it,
 * else the zeroeval sample that ships inside carrot, with one line on stderr that says why.
 */
final class DataOptions {
    /** The dataset used when {@code --data} is not given, if it can be had. */
    static final String DEFAULT = "sprout";
    /** The embedded dataset used when {@link #DEFAULT} cannot be had. */
    static final String FALLBACK = "zeroeval";

    @Option(names = "--data", paramLabel = "FILE|DIR|ORG/NAME|NAME", description = "a long-format file or folder, an"
            + " HF dataset repo (org/name[@revision]), or a known dataset: sprout, sprout-o3mini, zeroeval (embedded),"
            + " routerbench_subset, routerdc_7model (default: sprout when the Hub or the HF cache has it, else the"
            + " embedded zeroeval sample; --data sprout insists on SPROUT)")
    String data;

    @Option(names = "--revision", paramLabel = "REV", description = "HF revision (branch, tag or commit) to use")
    String revision;

    @CommandLine.Mixin
    HubOptions hub = new HubOptions();

    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec command;

    /** The dataset actually loaded, once {@link #load} has run (the fallback, when the default could not be had). */
    private String loaded;

    /** The dataset spec in effect: the one loaded, else the one given, else {@link #DEFAULT}. */
    String spec() {
        return loaded != null ? loaded : data != null ? data : DEFAULT;
    }

    /** The loader, with carrot's cache (where embedded datasets are extracted) in {@code cacheDir} if not null. */
    DatasetLoader loader(Path cacheDir) {
        DatasetLoader.Options o = DatasetLoader.Options.defaults().withRevision(revision).withHf(hub.config());
        return new DatasetLoader(cacheDir == null ? o : o.withCacheDir(cacheDir));
    }

    RoutingDataset load() throws IOException {
        return load(null);
    }

    /** Loads the dataset; {@code cacheDir} is carrot's cache ({@code --cache-dir}), or null for the default. */
    RoutingDataset load(Path cacheDir) throws IOException {
        DatasetLoader loader = loader(cacheDir);
        if (data == null) {
            try {
                RoutingDataset d = loader.load(DEFAULT);
                loaded = DEFAULT;
                return d;
            } catch (HfHubException e) {
                String verb = command != null && command.name().equals("train") ? "training on" : "using";
                err().println("carrot: SPROUT cannot be had: " + reason(e, hub.config()) + "; " + verb + " the embedded"
                        + " zeroeval sample instead (2,840 prompts x 23 LLMs; --data sprout insists on SPROUT)");
                err().flush();
                loaded = FALLBACK;
                return loader.load(FALLBACK);
            }
        }
        try {
            RoutingDataset d = loader.load(data);
            loaded = data;
            return d;
        } catch (HfHubException e) {
            if (e.kind() == HfHubException.Kind.OFFLINE_NOT_CACHED || e.kind() == HfHubException.Kind.HUB_UNREACHABLE) {
                throw new IOException(e.getMessage() + "\nTo use a local file instead, for example the"
                        + " RouterBench subset beside the project:\n  mvn -pl carrot-cli -am -DskipTests package exec:java -Dexec.args=\""
                        + "train --data ../shared/datasets/routerbench_subset/routerbench_subset.parquet\"\nor the"
                        + " zeroeval sample that ships with carrot: --data zeroeval (the long format is described in"
                        + " datasets/README.md)", e);
            }
            throw e;
        }
    }

    private java.io.PrintWriter err() {
        return command != null ? command.commandLine().getErr() : new java.io.PrintWriter(System.err, true);
    }

    /** Why the Hub client could not deliver, in one short clause. */
    static String reason(HfHubException e, HfConfig hf) {
        String notCached = "it is not in the HF cache " + hf.hubCache();
        switch (e.kind()) {
            case OFFLINE_NOT_CACHED:
                return "offline mode is on (HF_HUB_OFFLINE or --offline) and " + notCached;
            case HUB_UNREACHABLE:
                return "the Hub at " + hf.endpoint() + " cannot be reached (" + rootCause(e) + ") and " + notCached;
            default:
                String m = e.getMessage() == null ? "" : e.getMessage();
                int cut = m.indexOf(';');
                String first = (cut > 0 ? m.substring(0, cut) : m).replaceAll("\\s+", " ").strip();
                return e.kind().name().toLowerCase(Locale.ROOT).replace('_', ' ')
                        + e.statusCode().stream().mapToObj(s -> " (HTTP " + s + ")").findFirst().orElse("")
                        + (first.isEmpty() ? "" : ": " + first);
        }
    }

    /** The innermost cause of a failure, as {@code ConnectException: Connection refused}. */
    private static String rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        if (t == e) {
            return "no further detail";
        }
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m.replaceAll("\\s+", " "));
    }
}
