package dev.carrot.train;

import dev.carrot.data.RoutingDataset;
import dev.carrot.route.model.PredictorWriter;
import dev.carrot.route.model.PromptView;
import dev.carrot.train.toy.MeanTrainer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** --out never loses a user's files, and a failed run leaves the previous output whole. */
class TrainOutputTest {
    @TempDir
    Path tmp;

    static RoutingDataset data;

    @BeforeAll
    static void load() {
        data = Fixtures.sample(Fixtures.load(Fixtures.routerbenchFile()), 12);
    }

    private static TrainJob job(Path out, Variant v) {
        return new TrainJob(TrainerConfig.defaults().withVariants(List.of(v)).withThreads(2), Fixtures.encoder(), out,
                Optional.empty(), Instant.parse("2026-01-01T00:00:00Z"));
    }

    private static final Variant TOY = new Variant("toy", new MeanTrainer(), new MeanTrainer());

    @Test
    void aFolderWithTheUsersOwnFilesIsRefusedBeforeAnyWork() throws IOException {
        Path out = tmp.resolve("mine");
        Files.createDirectories(out.resolve("eval"));
        Files.writeString(out.resolve("summary.json"), "{\"mine\": true}");
        Files.writeString(out.resolve("curves.csv"), "my,own\n");
        Files.writeString(out.resolve("eval/metrics.csv"), "mine\n");
        assertThatThrownBy(() -> job(out, TOY).run(data, Optional.empty(), Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not empty and was not made by carrot train")
                .hasMessageContaining("curves.csv, eval/, summary.json").hasMessageContaining("--force");
        assertThat(out.resolve("summary.json")).hasContent("{\"mine\": true}");
        assertThat(out.resolve("eval/metrics.csv")).hasContent("mine\n");
        try (Stream<Path> s = Files.list(out)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("eval", "summary.json",
                    "curves.csv");
        }
        // --force: carrot's outputs replace the files of the same names; every other file stays
        Files.writeString(out.resolve("notes.txt"), "keep me");
        job(out, TOY).withForce(true).run(data, Optional.empty(), Map.of());
        assertThat(out.resolve("notes.txt")).hasContent("keep me");
        assertThat(Files.readString(out.resolve("summary.json"))).contains("\"routers\"");
        assertThat(out.resolve(TrainOutput.MARKER)).isRegularFile();
        // the folder is carrot's now: a second run needs no --force
        job(out, TOY).run(data, Optional.empty(), Map.of());
    }

    @Test
    void aFailedRunLeavesThePreviousOutputWholeAndItsDebrisIsCleanedUp() throws IOException {
        Path out = tmp.resolve("out");
        job(out, TOY).run(data, Optional.empty(), Map.of());
        Path first = out.resolve("current").toRealPath();
        String summary = Files.readString(out.resolve("summary.json"));
        // a variant whose export fails after the new generation was begun
        Variant broken = new Variant("toy", new FailingTrainer(), new MeanTrainer());
        assertThatThrownBy(() -> job(out, broken).run(data, Optional.empty(), Map.of()))
                .hasMessageContaining("disk full (test)");
        assertThat(out.resolve("current").toRealPath()).isEqualTo(first);
        assertThat(Files.readString(out.resolve("summary.json"))).isEqualTo(summary);
        for (String e : TrainOutput.ENTRIES) {
            assertThat(out.resolve(e).toRealPath().getParent()).as(e).isEqualTo(first);
        }
        try (Stream<Path> s = Files.list(out.resolve("generations"))) {
            assertThat(s.toList()).containsExactly(first);
        }
        // what a killed run leaves (a half-written generation, the old layout's staging) goes at the next run
        Files.createDirectories(out.resolve("generations/gen-20200101T000000Z-deadbeef/routers"));
        Files.createDirectories(out.resolve(".staging-1234/knn"));
        job(out, TOY).run(data, Optional.empty(), Map.of());
        Path second = out.resolve("current").toRealPath();
        assertThat(second).isNotEqualTo(first);
        try (Stream<Path> s = Files.list(out.resolve("generations"))) {
            assertThat(s.toList()).containsExactlyInAnyOrder(first, second); // the previous one is kept
        }
        assertThat(out.resolve(".staging-1234")).doesNotExist();
    }

    @Test
    void twoRunsCannotWriteOneFolderAtOnce() throws IOException {
        Path out = tmp.resolve("busy");
        try (TrainOutput held = TrainOutput.open(out, false)) {
            assertThatThrownBy(() -> TrainOutput.open(out, false)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("another carrot train is writing");
        }
        TrainOutput.open(out, false).close();
    }

    /** Fits a predictor whose export fails, like a full disk. */
    static final class FailingTrainer implements PredictorTrainer {
        @Override
        public String name() {
            return "failing";
        }

        @Override
        public Fit fit(FitTask task) {
            Fit mean = new MeanTrainer().fit(task);
            dev.carrot.route.model.Predictor failing = new dev.carrot.route.model.Predictor() {
                @Override
                public String kind() {
                    return "failing";
                }

                @Override
                public int outputs() {
                    return task.outputs();
                }

                @Override
                public String describe() {
                    return "failing";
                }

                @Override
                public void predict(PromptView prompt, double[] out) {
                    mean.predictor().predict(prompt, out);
                }

                @Override
                public void write(PredictorWriter out) throws IOException {
                    throw new IOException("disk full (test)");
                }
            };
            return new Fit(failing, failing, Map.of());
        }
    }
}
