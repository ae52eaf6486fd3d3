package dev.carrot.bench;

import dev.carrot.route.Router;
import dev.carrot.route.knn.KnnIndex;
import dev.carrot.route.io.RouterArtifact;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@link Router#load} of a KNN router artifact with 37,000 stored prompts (real embeddings, 11 models, quality and
 * cost targets): 57 MB of float32 embeddings, read, checksummed, validated, and int8-coded for the prefilter. Beside
 * it, reading the same array files naively with a {@link DataInputStream}, and reading them with one bulk read per
 * file (the I/O floor). The setup prints the heap a loaded router retains against its raw arrays
 * ({@code carrot-load-heap:} in the log).
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xms2g", "-Xmx6g"})
@State(Scope.Benchmark)
public class LoadBench {
    public static final int STORED = 37_000;

    Path dir;
    List<Path> arrays;
    long rawBytes;
    long retainedBytes;

    @Setup
    public void setup() throws IOException {
        dir = Files.createTempDirectory("carrot-load-bench").resolve("router");
        float[] rows = BenchData.decisionSet(STORED).stored();
        RouterArtifact.write(BenchRouters.knn(KnnIndex.of(rows, BenchData.DIM), BenchRouters.routerbenchTargets()),
                dir);
        try (Stream<Path> s = Files.list(dir.resolve("arrays"))) {
            arrays = s.sorted().toList();
        }
        for (Path p : arrays) {
            rawBytes += Files.size(p);
        }
        retainedBytes = retainedHeap();
        // the fork's output goes into JMH's log
        System.out.printf(java.util.Locale.ROOT, "%ncarrot-load-heap: a loaded router retains %,d bytes of heap;"
                + " its raw arrays are %,d bytes: %.3f x%n", retainedBytes, rawBytes, (double) retainedBytes / rawBytes);
    }

    private long retainedHeap() throws IOException {
        var mem = ManagementFactory.getMemoryMXBean();
        gc();
        long before = mem.getHeapMemoryUsage().getUsed();
        Router r = Router.load(dir);
        gc();
        long after = mem.getHeapMemoryUsage().getUsed();
        if (r.models().isEmpty()) {
            throw new IllegalStateException("empty router");
        }
        return after - before;
    }

    private static void gc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
    }

    @TearDown
    public void delete() throws IOException {
        try (Stream<Path> s = Files.walk(dir.getParent())) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Benchmark
    public Router load() throws IOException {
        return Router.load(dir);
    }

    @Benchmark
    public List<float[]> readArraysNaively() throws IOException {
        List<float[]> out = new ArrayList<>();
        for (Path p : arrays) {
            int n = (int) (Files.size(p) / 4);
            float[] a = new float[n];
            try (InputStream in = Files.newInputStream(p);
                 DataInputStream d = new DataInputStream(new BufferedInputStream(in))) {
                for (int i = 0; i < n; i++) {
                    a[i] = Float.intBitsToFloat(Integer.reverseBytes(d.readInt()));
                }
            }
            out.add(a);
        }
        return out;
    }

    @Benchmark
    public List<float[]> readArraysBulk() throws IOException {
        List<float[]> out = new ArrayList<>();
        for (Path p : arrays) {
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(p)).order(ByteOrder.LITTLE_ENDIAN);
            float[] a = new float[b.remaining() / 4];
            b.asFloatBuffer().get(a);
            out.add(a);
        }
        return out;
    }
}
