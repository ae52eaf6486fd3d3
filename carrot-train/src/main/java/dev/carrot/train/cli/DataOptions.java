package dev.carrot.train.cli;

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

    DatasetLoader loader() {
        return new DatasetLoader(DatasetLoader.Options.defaults().withRevision(revision));
    }

    RoutingDataset load() throws IOException {
        try {
            return loader().load(data);
        } catch (HfHubException e) {
            if (e.kind() == HfHubException.Kind.OFFLINE_NOT_CACHED || e.kind() == HfHubException.Kind.HUB_UNREACHABLE) {
                throw new IOException(e.getMessage() + "\nTo use a local file instead, for example the"
                        + " RouterBench subset beside the project:\n  mvn -pl carrot-train exec:java -Dexec.args=\""
                        + "train --data ../shared/datasets/routerbench_subset/routerbench_subset.parquet\"\n(the long"
                        + " format is described in datasets/README.md)", e);
            }
            throw e;
        }
    }
}
