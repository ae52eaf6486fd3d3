package dev.carrot.data;

import dev.carrot.data.hf.DownloadListener;
import dev.carrot.data.hf.FakeHub;
import dev.carrot.data.hf.HfConfig;
import dev.carrot.data.hf.HfHubException;
import dev.carrot.data.wide.SproutFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * SPROUT through the whole loader: a loopback server imitating the Hub serves small Parquet files with SPROUT's
 * schema (all 13 models, a few rows per split), written here.
 */
class SproutFromHubTest {
    private static final String REPO = "CARROT-LLM-Routing/SPROUT";
    private static final String TRAIN = "data/train-00000-of-00001.parquet";
    private static final String VALIDATION = "data/validation-00000-of-00001.parquet";
    private static final String TEST = "data/test-00000-of-00001.parquet";

    @TempDir
    Path tmp;

    private FakeHub hub;
    private FakeHub.FakeRepo repo;
    private byte[] train;

    @BeforeEach
    void serve() throws Exception {
        Path files = tmp.resolve("files");
        SproutFixture.write(files.resolve(TRAIN), "train", 40, SproutFixture.models(), 3);
        SproutFixture.write(files.resolve(VALIDATION), "validation", 8, SproutFixture.models(), -1);
        SproutFixture.write(files.resolve(TEST), "test", 12, SproutFixture.models(), -1);
        train = Files.readAllBytes(files.resolve(TRAIN));
        hub = FakeHub.start();
        repo = hub.dataset(REPO)
                .file("README.md", "# SPROUT")
                .lfsFile(TRAIN, train)
                .lfsFile(VALIDATION, Files.readAllBytes(files.resolve(VALIDATION)))
                .lfsFile(TEST, Files.readAllBytes(files.resolve(TEST)));
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    private DatasetLoader loader(HfConfig cfg) {
        return new DatasetLoader(new DatasetLoader.Options(cfg, Optional.empty(), new SplitPolicy(),
                DownloadListener.silent()));
    }

    private HfConfig config() {
        return new HfConfig(hub.endpoint(), tmp.resolve("hub-cache"));
    }

    @Test
    void loadsSproutFromTheHubIntoThePythonCacheLayout() throws Exception {
        RoutingDataset d = loader(config()).load("sprout");

        assertThat(d.models()).hasSize(13).isEqualTo(DatasetDescriptor.load("sprout").models());
        assertThat(d.splitCounts()).containsExactly(Map.entry("train", 39), Map.entry("validation", 8),
                Map.entry("test", 12));
        assertThat(d.provenance().dropped()).containsExactly(Map.entry("missing_score", 1));
        assertThat(d.hasTokens()).isTrue();
        // carrot-data never prices tokens: costs come from the token counts and carrot-route's price table when
        // training (the paper's prices in the descriptor; carrot-train's SproutPricingTest checks them)
        assertThat(d.hasCost()).isFalse();
        assertThat(DatasetDescriptor.load("sprout").prices()).isPresent();
        assertThat(d.provenance().source()).isEqualTo("hf://datasets/" + REPO);
        assertThat(d.provenance().revision()).contains("main");
        assertThat(d.provenance().commit()).contains(repo.commit());
        assertThat(d.provenance().files()).extracting(DatasetProvenance.SourceFile::path)
                .containsExactlyInAnyOrder(TRAIN, VALIDATION, TEST);
        assertThat(d.provenance().files()).filteredOn(f -> f.path().equals(TRAIN))
                .extracting(DatasetProvenance.SourceFile::sha256).containsExactly(repo.sha256(TRAIN));
        // only the data files matched the descriptor's patterns; README.md was not fetched
        assertThat(repo.dataRequests("README.md")).isZero();
        Path snapshot = tmp.resolve("hub-cache/datasets--CARROT-LLM-Routing--SPROUT/snapshots/" + repo.commit());
        assertThat(snapshot.resolve(TRAIN)).isSymbolicLink();
        assertThat(tmp.resolve("hub-cache/datasets--CARROT-LLM-Routing--SPROUT/refs/main")).hasContent(repo.commit());
    }

    @Test
    void offlineModeReadsTheCacheWithoutAnyRequest() throws Exception {
        RoutingDataset online = loader(config()).load("CARROT-LLM-Routing/SPROUT");
        hub.clearRequests();
        RoutingDataset offline = loader(config().withOffline(true)).load("sprout");
        assertThat(hub.requestCount()).isZero();
        assertThat(offline.provenance().contentSha256()).isEqualTo(online.provenance().contentSha256());
    }

    @Test
    void offlineWithNothingCachedSaysWhatWasLookedFor() {
        assertThatThrownBy(() -> loader(config().withOffline(true)).load("sprout"))
                .isInstanceOf(HfHubException.class)
                .satisfies(e -> assertThat(((HfHubException) e).kind())
                        .isEqualTo(HfHubException.Kind.OFFLINE_NOT_CACHED))
                .hasMessageContaining(REPO);
        assertThat(hub.requestCount()).isZero();
    }

    @Test
    void anInterruptedDownloadResumes() throws Exception {
        repo.cutAfter(TRAIN, train.length / 3);
        RoutingDataset d = loader(config()).load("sprout");
        assertThat(d.size()).isEqualTo(59);
        assertThat(hub.requests(r -> r.isFileRequest() && r.path().endsWith(TRAIN) && r.range().isPresent()))
                .isNotEmpty();
    }

    @Test
    void aWrongChecksumFailsAndLeavesNoFile() {
        repo.corrupt(TRAIN);
        assertThatThrownBy(() -> loader(config()).load("sprout"))
                .isInstanceOf(HfHubException.class)
                .satisfies(e -> assertThat(((HfHubException) e).kind())
                        .isEqualTo(HfHubException.Kind.CHECKSUM_MISMATCH))
                .hasMessageContaining(TRAIN);
        assertThat(tmp.resolve("hub-cache/datasets--CARROT-LLM-Routing--SPROUT/blobs/" + repo.sha256(TRAIN)))
                .doesNotExist();
    }

    @Test
    void a401SaysToSetHfTokenAndNeverShowsTheToken() {
        hub.requireToken("hf_secret_right");
        assertThatThrownBy(() -> loader(config()).load("sprout"))
                .isInstanceOf(HfHubException.class)
                .satisfies(e -> assertThat(((HfHubException) e).kind()).isEqualTo(HfHubException.Kind.UNAUTHORIZED))
                .hasMessageContaining("HF_TOKEN");
        assertThatThrownBy(() -> loader(config().withToken("hf_secret_wrong")).load("sprout"))
                .isInstanceOf(HfHubException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hf_secret_wrong"));
    }

    @Test
    void anyLongFormatRepoLoadsByRepoId() throws Exception {
        Path csv = tmp.resolve("train.csv");
        Files.writeString(csv, "prompt_id,prompt,model,score\na,x,m1,1\na,x,m2,0\nb,y,m1,0.5\nb,y,m2,1\n");
        Path test = tmp.resolve("test.csv");
        Files.writeString(test, "prompt_id,prompt,model,score\nc,z,m1,1\nc,z,m2,1\n");
        hub.dataset("someone/my-routing-data").file("data/train.csv", Files.readAllBytes(csv))
                .file("data/test.csv", Files.readAllBytes(test)).file("README.md", "hi");
        RoutingDataset d = loader(config()).load("hf://datasets/someone/my-routing-data");
        assertThat(d.models()).containsExactly("m1", "m2");
        assertThat(d.splitCounts().get("test")).isEqualTo(1);
        assertThat(d.splitCounts().get("train") + d.splitCounts().getOrDefault("validation", 0)).isEqualTo(2);
        assertThat(d.provenance().files()).extracting(DatasetProvenance.SourceFile::path)
                .containsExactlyInAnyOrder("data/train.csv", "data/test.csv");
    }

    @Test
    void aWrongRepoIsNamed() {
        assertThatThrownBy(() -> loader(config()).load("nobody/nothing"))
                .isInstanceOf(HfHubException.class)
                .satisfies(e -> assertThat(((HfHubException) e).kind()).isEqualTo(HfHubException.Kind.NOT_FOUND))
                .hasMessageContaining("nobody/nothing");
    }

    @Test
    void specsThatAreNeitherFilesNorReposAreRejectedClearly() {
        assertThatThrownBy(() -> loader(config()).resolve("no such thing.parquet"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not an existing file or folder")
                .hasMessageContaining("sprout");
        assertThat(loader(config()).resolve("sprout@abc123").revision()).contains("abc123");
        assertThat(List.of(loader(config()).resolve("routerbench_subset").descriptor().orElseThrow().name()))
                .containsExactly("routerbench_subset");
    }
}
