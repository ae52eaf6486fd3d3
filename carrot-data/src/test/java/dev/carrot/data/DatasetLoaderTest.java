package dev.carrot.data;

import dev.carrot.data.hf.DownloadListener;
import dev.carrot.data.hf.FakeHub;
import dev.carrot.data.hf.HfConfig;
import dev.carrot.data.internal.DuckDb;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What {@code --data} names: local files and folders, and what is never taken for a Hub repo. */
class DatasetLoaderTest {
    private static final String HEADER = "prompt_id,prompt,model,score\n";

    @TempDir
    Path tmp;

    private FakeHub hub;

    @BeforeEach
    void serve() throws Exception {
        hub = FakeHub.start();
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    private DatasetLoader loader() {
        return new DatasetLoader(new DatasetLoader.Options(new HfConfig(hub.endpoint(), tmp.resolve("hub-cache")),
                Optional.empty(), new SplitPolicy(), DownloadListener.silent()));
    }

    // ---------------------------------------------------------------- folders

    @Test
    void aFolderOfOneFormatIsReadWhole() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("one"));
        Files.writeString(dir.resolve("train.csv"), HEADER + "p1,hi,a,1\np1,hi,b,0\n");
        Files.writeString(dir.resolve("test.tsv"), "prompt_id\tprompt\tmodel\tscore\np2\tho\ta\t0\np2\tho\tb\t1\n");
        RoutingDataset d = loader().load(dir.toString());
        assertThat(d.size()).isEqualTo(2);
        assertThat(d.provenance().files()).hasSize(2);
    }

    @Test
    void aFolderMixingFormatsIsRefusedNamingTheFilesOfEachType() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("mixed"));
        try (Connection c = DuckDb.open(); Statement s = c.createStatement()) {
            s.execute("COPY (SELECT 'p1' AS prompt_id, 'hi' AS prompt, 'a' AS model, 1.0 AS score) TO "
                    + DuckDb.literal(dir.resolve("part1.parquet")) + " (FORMAT PARQUET)");
        }
        Files.writeString(dir.resolve("part2.csv"), HEADER + "p2,ho,a,0\n");
        Files.createDirectories(dir.resolve("more"));
        Files.writeString(dir.resolve("more/part3.jsonl"), "{\"prompt_id\":\"p3\",\"prompt\":\"x\",\"model\":\"a\","
                + "\"score\":1}\n");

        assertThatThrownBy(() -> loader().load(dir.toString()))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessageContaining(dir.toString())
                .hasMessageContaining("mixes data-file types")
                .hasMessageContaining("PARQUET: part1.parquet")
                .hasMessageContaining("CSV: part2.csv")
                .hasMessageContaining("JSONL: more/part3.jsonl".replace('/', java.io.File.separatorChar))
                .hasMessageContaining("point --data at one file")
                .hasMessageContaining("keep one format in the folder");
        assertThat(hub.requestCount()).isZero();
    }

    // ---------------------------------------------------------------- specs that name a file

    @Test
    void aMissingPathIsNoSuchFileAndNeverGoesToTheHub() {
        String[] specs = {"no-such-dir-7a/x.csv", "no-such-dir-7a/x.parquet.gz", "./no-such-dir-7a",
                "../no-such-dir-7a/data", tmp.resolve("absent").toString(), "~/no-such-dir-7a/x"};
        for (String spec : specs) {
            Path abs = Path.of(spec).toAbsolutePath().normalize();
            assertThatThrownBy(() -> loader().load(spec))
                    .as(spec)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("no such file or folder: " + spec + " (resolved to " + abs + ")")
                    .hasMessageContaining("never looked up on the Hub");
        }
        assertThat(hub.requestCount()).isZero();
    }

    @Test
    void aRepoIdIsStillARepoId() {
        DatasetLoader.Resolved r = loader().resolve("someone/routing-data");
        assertThat(r.repo()).contains("someone/routing-data");
        assertThat(r.local()).isEmpty();
    }
}
