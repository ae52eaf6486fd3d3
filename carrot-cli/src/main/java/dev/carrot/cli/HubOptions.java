package dev.carrot.cli;

import dev.carrot.data.hf.HfConfig;
import picocli.CommandLine.Option;

import java.net.URI;
import java.nio.file.Path;

/** How to reach the HuggingFace Hub and where its cache is (the environment's settings unless given). */
final class HubOptions {
    @Option(names = "--hf-endpoint", paramLabel = "URL", description = "HuggingFace Hub endpoint (default: $HF_ENDPOINT"
            + " or https://huggingface.co)")
    URI hfEndpoint;

    @Option(names = "--hf-cache", paramLabel = "DIR", description = "HuggingFace Hub cache (default: $HF_HUB_CACHE,"
            + " $HF_HOME/hub or ~/.cache/huggingface/hub)")
    Path hfCache;

    @Option(names = "--offline", description = "use only the HF cache, never the network (like HF_HUB_OFFLINE=1)")
    boolean offline;

    /** The environment's Hub settings with these options applied. */
    HfConfig config() {
        HfConfig hf = HfConfig.fromEnvironment();
        if (hfEndpoint != null) {
            hf = hf.withEndpoint(hfEndpoint);
        }
        if (hfCache != null) {
            hf = hf.withHubCache(hfCache);
        }
        if (offline) {
            hf = hf.withOffline(true);
        }
        return hf;
    }
}
