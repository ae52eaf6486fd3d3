package dev.carrot.cli;

import dev.carrot.data.DatasetLoader;
import dev.carrot.data.RoutingDataset;
import dev.carrot.data.hf.HfHubException;
import picocli.CommandLine.Option;

import java.io.IOException;

/** The options that say which data to load. */
final class DataOptions {
    @Option(names = "--data", paramLabel = "FILE|DIR|ORG/NAME|NAME", description = "a long-format file or folder, an"
            + " HF dataset repo (org/name[@revision]), or a known dataset: sprout, sprout-o3mini, routerbench_subset,"
            + " routerdc_7model (default: ${DEFAULT-VALUE})", defaultValue = "sprout")
    String data;

    @Option(names = "--revision", paramLabel = "REV", description = "HF revision (branch, tag or commit) to use")
    String revision;

    @Option(names = "--hf-endpoint", paramLabel = "URL", description = "HuggingFace Hub endpoint (default: $HF_ENDPOINT"
            + " or https://huggingface.co)")
    java.net.URI hfEndpoint;

    @Option(names = "--hf-cache", paramLabel = "DIR", description = "HuggingFace Hub cache (default: $HF_HUB_CACHE,"
            + " $HF_HOME/hub or ~/.cache/huggingface/hub)")
    java.nio.file.Path hfCache;

    @Option(names = "--offline", description = "use only the HF cache, never the network (like HF_HUB_OFFLINE=1)")
    boolean offline;

    DatasetLoader loader() {
        DatasetLoader.Options o = DatasetLoader.Options.defaults().withRevision(revision);
        dev.carrot.data.hf.HfConfig hf = o.hf();
        if (hfEndpoint != null) {
            hf = hf.withEndpoint(hfEndpoint);
        }
        if (hfCache != null) {
            hf = hf.withHubCache(hfCache);
        }
        if (offline) {
            hf = hf.withOffline(true);
        }
        return new DatasetLoader(new DatasetLoader.Options(hf, o.revision(), o.splitPolicy(), o.listener()));
    }

    RoutingDataset load() throws IOException {
        try {
            return loader().load(data);
        } catch (HfHubException e) {
            if (e.kind() == HfHubException.Kind.OFFLINE_NOT_CACHED || e.kind() == HfHubException.Kind.HUB_UNREACHABLE) {
                throw new IOException(e.getMessage() + "\nTo use a local file instead, for example the"
                        + " RouterBench subset beside the project:\n  mvn -pl carrot-cli -am -DskipTests package exec:java -Dexec.args=\""
                        + "train --data ../shared/datasets/routerbench_subset/routerbench_subset.parquet\"\n(the long"
                        + " format is described in datasets/README.md)", e);
            }
            throw e;
        }
    }
}
