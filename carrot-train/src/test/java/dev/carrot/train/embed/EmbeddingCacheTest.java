package dev.carrot.train.embed;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import dev.carrot.route.encoder.BatchStats;
import dev.carrot.route.encoder.EncoderInfo;
import dev.carrot.route.encoder.Pooling;

class EmbeddingCacheTest {

    private static final System.Logger LOG = System.getLogger(EmbeddingCacheTest.class.getName());
    private static final int DIM = 16;

    @TempDir
    Path root;

    private static List<String> prompts(String prefix, int n) {
        List<String> texts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            texts.add(prefix + " prompt number " + i);
        }
        return texts;
    }

    private static List<Path> segments(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".cemb")).sorted().collect(Collectors.toList());
        }
    }

    @Test
    void roundTrip() {
        CountingFakeEncoder fake = new CountingFakeEncoder(CountingFakeEncoder.SHA_A, DIM);
        List<String> texts = prompts("round", 50);
        float[][] vectors = fake.encodeAll(texts);
        try (EmbeddingCache cache = EmbeddingCache.open(root, fake.info())) {
            cache.putAll(texts, vectors);
            cache.put("single", vectors[0]);
            assertThat(cache.size()).isEqualTo(51);
        }
        EmbeddingCache reopened = EmbeddingCache.open(root, fake.info());
        assertThat(reopened.directory()).isEqualTo(root.toAbsolutePath().resolve(CountingFakeEncoder.SHA_A));
        assertThat(reopened.size()).isEqualTo(51);
        assertThat(reopened.loadReport().damagedEntries()).isZero();
        for (int i = 0; i < texts.size(); i++) {
            assertThat(reopened.get(texts.get(i))).containsExactly(vectors[i]);
        }
        assertThat(reopened.get("single")).containsExactly(vectors[0]);
        assertThat(reopened.get("never stored")).isNull();
        assertThat(reopened.contains("single")).isTrue();

        float[] copy = reopened.get("single");
        copy[0] = 42f;
        assertThat(reopened.get("single")[0]).as("get returns a copy").isNotEqualTo(42f);
    }

    @Test
    void secondEncoderOverTheSameDirHitsEverythingWithoutEncoding() {
        List<String> texts = prompts("hit", 100);
        CountingFakeEncoder first = new CountingFakeEncoder(CountingFakeEncoder.SHA_A, DIM);
        float[][] expected;
        try (CachingPromptEncoder caching = CachingPromptEncoder.wrap(first, root)) {
            AtomicReference<BatchStats> stats = new AtomicReference<>();
            expected = caching.encodeAll(texts, stats::set);
            assertThat(stats.get().encoded()).isEqualTo(100);
            assertThat(caching.stats()).isEqualTo(new CacheStats(0, 100));
        }
        assertThat(first.encodedTexts.get()).isEqualTo(100);

        CountingFakeEncoder second = new CountingFakeEncoder(CountingFakeEncoder.SHA_A, DIM);
        try (CachingPromptEncoder caching = CachingPromptEncoder.wrap(second, root)) {
            AtomicReference<BatchStats> stats = new AtomicReference<>();
            float[][] again = caching.encodeAll(texts, stats::set);
            for (int i = 0; i < texts.size(); i++) {
                assertThat(again[i]).containsExactly(expected[i]);
            }
            assertThat(caching.encode(texts.get(7))).containsExactly(expected[7]);
            assertThat(stats.get().cached()).isEqualTo(100);
            assertThat(stats.get().batches()).isZero();
            assertThat(caching.stats()).isEqualTo(new CacheStats(101, 0));
            assertThat(caching.stats().hitRate()).isEqualTo(1.0);
        }
        assertThat(second.calls.get()).as("underlying encoder calls").isZero();
    }

    @Test
    void onlyMissesAreEncodedInOneBatchAndRepeatsOnce() {
        CountingFakeEncoder fake = new CountingFakeEncoder(CountingFakeEncoder.SHA_A, DIM);
        List<String> old = prompts("old", 30);
        List<String> fresh = prompts("new", 12);
        try (CachingPromptEncoder caching = CachingPromptEncoder.wrap(fake, root)) {
            caching.encodeAll(old);
            fake.calls.set(0);
            fake.encodedTexts.set(0);
            CacheStats before = caching.stats();

            List<String> mixed = new ArrayList<>(old);
            mixed.addAll(fresh);
            mixed.addAll(fresh.subList(0, 5)); // repeats within the call
            AtomicReference<BatchStats> stats = new AtomicReference<>();
            float[][] vectors = caching.encodeAll(mixed, stats::set);

            assertThat(fake.calls.get()).isEqualTo(1);
            assertThat(fake.encodedTexts.get()).isEqualTo(12);
            assertThat(stats.get().texts()).isEqualTo(47);
            assertThat(stats.get().encoded()).isEqualTo(12);
            assertThat(stats.get().cached()).isEqualTo(35);
            assertThat(caching.stats().minus(before)).isEqualTo(new CacheStats(35, 12));
            for (int i = 0; i < mixed.size(); i++) {
                assertThat(vectors[i]).containsExactly(CountingFakeEncoder.vectorOf(mixed.get(i), fake.info()));
            }
            assertThat(vectors[42]).isNotSameAs(vectors[30]); // a repeat gets its own array
        }
    }

    @Test
    void aFlippedByteInASegmentIsDetectedAndOnlyThatEntryIsRecomputed() throws IOException {
        CountingFakeEncoder fake = new CountingFakeEncoder(CountingFakeEncoder.SHA_A, DIM);
        List<String> texts = prompts("flip", 10);
        try (CachingPromptEncoder caching = CachingPromptEncoder.wrap(fake, root)) {
            caching.encodeAll(texts);
        }
        Path dir = root.resolve(CountingFakeEncoder.SHA_A);
        List<Path> segments = segments(dir);
        assertThat(segments).hasSize(1);
        int entryBytes = SegmentFiles.entryBytes(DIM);
        long offset = 64 + 3L * entryBytes + 32 + 4 * 5; // entry 3, float 5
        flipByte(segments.get(0), offset);

        CountingFakeEncoder second = new CountingFakeEncoder(CountingFakeEncoder.SHA_A, DIM);
        try (CachingPromptEncoder caching = CachingPromptEncoder.wrap(second, root)) {
            EmbeddingCache.LoadReport report = caching.cache().loadReport();
            assertThat(report.damagedEntries()).isEqualTo(1);
            assertThat(report.entries()).isEqualTo(9);
            float[][] vectors = caching.encodeAll(texts);
            assertThat(second.encodedTexts.get()).isEqualTo(1);
            assertThat(caching.stats()).isEqualTo(new CacheStats(9, 1));
            assertThat(vectors[3]).containsExactly(CountingFakeEncoder.vectorOf(texts.get(3), fake.info()));
        }
        EmbeddingCache healed = EmbeddingCache.open(root, fake.info());
        assertThat(healed.size()).isEqualTo(10);
        assertThat(healed.loadReport().damagedEntries()).isZero();
    }

    @Test
    void aTruncatedSegmentKeepsItsCompleteEntries() throws IOException {
        CountingFakeEncoder fake = new CountingFakeEncoder(CountingFakeEncoder.SHA_A, DIM);
        List<String> texts = prompts("cut", 10);
        try (EmbeddingCache cache = EmbeddingCache.open(root, fake.info())) {
            cache.putAll(texts, fake.encodeAll(texts));
        }
        Path segment = segments(root.resolve(CountingFakeEncoder.SHA_A)).get(0);
        try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw")) {
            file.setLength(64 + 6L * SegmentFiles.entryBytes(DIM) + 17); // 6 whole entries and a torn one
        }
        CountingFakeEncoder second = new CountingFakeEncoder(CountingFakeEncoder.SHA_A, DIM);
        try (CachingPromptEncoder caching = CachingPromptEncoder.wrap(second, root)) {
            assertThat(caching.cache().loadReport().entries()).isEqualTo(6);
            assertThat(caching.cache().loadReport().damagedEntries()).isEqualTo(4);
            caching.encodeAll(texts);
            assertThat(second.encodedTexts.get()).isEqualTo(4);
        }
        assertThat(EmbeddingCache.open(root, fake.info()).size()).isEqualTo(10);
    }

    @Test
    void aDamagedHeaderOrEmptyFileCostsOnlyRecomputation() throws IOException {
        CountingFakeEncoder fake = new CountingFakeEncoder(CountingFakeEncoder.SHA_A, DIM);
        List<String> texts = prompts("header", 5);
        try (EmbeddingCache cache = EmbeddingCache.open(root, fake.info())) {
            cache.putAll(texts, fake.encodeAll(texts));
        }
        Path dir = root.resolve(CountingFakeEncoder.SHA_A);
        Path segment = segments(dir).get(0);
        flipByte(segment, 13); // inside the dimension field
        Files.write(dir.resolve(segment.getFileName().toString().replace(".cemb", "0.cemb")), new byte[0]);
        EmbeddingCache cache = EmbeddingCache.open(root, fake.info());
        assertThat(cache.size()).isZero();
        assertThat(cache.loadReport().damagedSegments()).isEqualTo(2);
        assertThat(cache.loadReport().compacted()).isTrue();
        assertThat(segments(dir)).as("damaged segments removed by compaction").isEmpty();
    }

    @Test
    void differentEncodersAndConfigurationsNeverSeeEachOthersEntries() {
        List<String> texts = prompts("iso", 20);
        CountingFakeEncoder a = new CountingFakeEncoder(CountingFakeEncoder.SHA_A, DIM);
        try (EmbeddingCache cache = EmbeddingCache.open(root, a.info())) {
            cache.putAll(texts, a.encodeAll(texts));
        }
        CountingFakeEncoder b = new CountingFakeEncoder(CountingFakeEncoder.SHA_B, DIM);
        EmbeddingCache other = EmbeddingCache.open(root, b.info());
        assertThat(other.size()).isZero();
        assertThat(other.directory()).isNotEqualTo(EmbeddingCache.open(root, a.info()).directory());

        EncoderInfo shorter = new EncoderInfo("fake-a", DIM, CountingFakeEncoder.SHA_A, 16, Pooling.MEAN, true);
        EncoderInfo cls = new EncoderInfo("fake-a", DIM, CountingFakeEncoder.SHA_A, 32, Pooling.CLS, true);
        assertThat(EmbeddingCache.open(root, shorter).size()).isZero();
        assertThat(EmbeddingCache.open(root, cls).size()).isZero();
        assertThat(EmbeddingCache.open(root, a.info()).size()).isEqualTo(20);

        assertThatThrownBy(() -> new CachingPromptEncoder(b, EmbeddingCache.open(root, a.info())))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("holds vectors of");
    }

    @Test
    void manySmallSegmentsAreCompacted() throws IOException {
        CountingFakeEncoder fake = new CountingFakeEncoder(CountingFakeEncoder.SHA_A, DIM);
        List<String> texts = prompts("small", 40);
        try (EmbeddingCache cache = EmbeddingCache.open(root, fake.info())) {
            for (String text : texts) {
                cache.putAll(List.of(text), fake.encodeAll(List.of(text)));
            }
        }
        Path dir = root.resolve(CountingFakeEncoder.SHA_A);
        assertThat(segments(dir)).hasSize(40);
        EmbeddingCache cache = EmbeddingCache.open(root, fake.info());
        assertThat(cache.loadReport().compacted()).isTrue();
        assertThat(segments(dir)).hasSize(1);
        assertThat(EmbeddingCache.open(root, fake.info()).size()).isEqualTo(40);
    }

    @Test
    void singlePutsAreWrittenOnFlush() {
        CountingFakeEncoder fake = new CountingFakeEncoder(CountingFakeEncoder.SHA_A, DIM);
        try (CachingPromptEncoder caching = CachingPromptEncoder.wrap(fake, root)) {
            caching.encode("one");
            caching.encode("two");
            caching.encode("one");
            assertThat(caching.stats()).isEqualTo(new CacheStats(1, 2));
        }
        assertThat(EmbeddingCache.open(root, fake.info()).size()).isEqualTo(2);
    }

    @Test
    void concurrentWritersInOneJvmLoseNothing() throws Exception {
        CountingFakeEncoder fake = new CountingFakeEncoder(CountingFakeEncoder.SHA_A, DIM);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                List<String> texts = prompts("writer" + w, 60);
                futures.add(pool.submit(() -> {
                    // A separate cache object per writer, as separate processes would have; compaction runs while
                    // others write.
                    for (int i = 0; i < texts.size(); i += 3) {
                        List<String> chunk = texts.subList(i, i + 3);
                        try (EmbeddingCache cache = EmbeddingCache.open(root, fake.info(), 4)) {
                            cache.putAll(chunk, fake.encodeAll(chunk));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> future : futures) {
                future.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        EmbeddingCache cache = EmbeddingCache.open(root, fake.info());
        assertThat(cache.size()).isEqualTo(240);
        assertThat(cache.loadReport().damagedEntries()).isZero();
        for (int w = 0; w < 4; w++) {
            for (String text : prompts("writer" + w, 60)) {
                assertThat(cache.get(text)).containsExactly(CountingFakeEncoder.vectorOf(text, fake.info()));
            }
        }
        try (Stream<Path> files = Files.list(cache.directory())) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(name -> name.startsWith(".tmp-"));
        }
    }

    @Test
    void aSegmentOfANewerFormatIsLeftAlone() throws IOException {
        CountingFakeEncoder fake = new CountingFakeEncoder(CountingFakeEncoder.SHA_A, DIM);
        try (EmbeddingCache cache = EmbeddingCache.open(root, fake.info())) {
            cache.putAll(List.of("x"), fake.encodeAll(List.of("x")));
        }
        Path segment = segments(root.resolve(CountingFakeEncoder.SHA_A)).get(0);
        byte[] bytes = Files.readAllBytes(segment);
        ByteBuffer header = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(8, SegmentFiles.VERSION + 1);
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, 60);
        header.putInt(60, (int) crc.getValue());
        Files.write(segment, bytes);

        EmbeddingCache cache = EmbeddingCache.open(root, fake.info(), 1);
        assertThat(cache.size()).isZero();
        assertThat(cache.compact()).isFalse();
        assertThat(segment).exists();
    }

    @Test
    void invalidInputIsRejected() {
        CountingFakeEncoder fake = new CountingFakeEncoder(CountingFakeEncoder.SHA_A, DIM);
        EmbeddingCache cache = EmbeddingCache.open(root, fake.info());
        assertThatThrownBy(() -> cache.put("t", new float[DIM + 1]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has length 17; expected 16");
        float[] nan = new float[DIM];
        nan[3] = Float.NaN;
        assertThatThrownBy(() -> cache.put("t", nan))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vector[3] is NaN");
        assertThatThrownBy(() -> cache.put(null, new float[DIM]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("text is null");
        assertThatThrownBy(() -> cache.putAll(List.of("a", "b"), new float[1][DIM]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 texts and 1 vectors");
        assertThatThrownBy(() -> EmbeddingCache.open(root, fake.info(), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxSegments is 0");
    }

    @Test
    void fiftyThousandMiniLmSizedEntriesLoadQuickly() {
        int n = 50_000;
        int dim = 384;
        EncoderInfo info = new EncoderInfo("fake-384", dim, "c".repeat(64), 256, Pooling.MEAN, true);
        List<String> texts = prompts("load", n);
        try (EmbeddingCache cache = EmbeddingCache.open(root, info)) {
            for (int from = 0; from < n; from += 10_000) {
                List<String> chunk = texts.subList(from, from + 10_000);
                float[][] vectors = new float[chunk.size()][];
                for (int i = 0; i < vectors.length; i++) {
                    vectors[i] = CountingFakeEncoder.vectorOf(chunk.get(i), info);
                }
                cache.putAll(chunk, vectors);
            }
        }
        EmbeddingCache.open(root, info); // warm the page cache and the JIT once
        long start = System.nanoTime();
        EmbeddingCache cache = EmbeddingCache.open(root, info);
        long millis = (System.nanoTime() - start) / 1_000_000;
        LOG.log(Level.INFO, "loaded " + cache.size() + " cached embeddings of dimension " + dim + " from "
                + cache.loadReport().segments() + " segments in " + millis + " ms (not a benchmark)");
        assertThat(cache.size()).isEqualTo(n);
        assertThat(cache.get(texts.get(12_345))).containsExactly(CountingFakeEncoder.vectorOf(texts.get(12_345), info));
        assertThat(millis).as("load time in ms; the goal is well under a second").isLessThan(3_000);
    }

    @Test
    void aGoldenVersion1SegmentStillLoads() throws IOException {
        // Written by an independent Python implementation of the format described in SegmentFiles.
        EncoderInfo info = new CountingFakeEncoder(CountingFakeEncoder.SHA_A, DIM).info();
        Path dir = Files.createDirectories(root.resolve(CountingFakeEncoder.SHA_A));
        try (InputStream in = getClass().getResourceAsStream("golden-segment-v1.cemb")) {
            assertThat(in).isNotNull();
            Files.copy(in, dir.resolve("seg-2f8a1fccb4d2093d-0000000000000-0000000000000000.cemb"));
        }
        EmbeddingCache cache = EmbeddingCache.open(root, info);
        assertThat(cache.size()).isEqualTo(3);
        assertThat(cache.loadReport().damagedEntries()).isZero();
        List<String> texts = List.of("golden prompt 0", "golden prompt 1", "Résumé 🚀 golden");
        for (int i = 0; i < texts.size(); i++) {
            float[] expected = new float[DIM];
            for (int d = 0; d < DIM; d++) {
                expected[d] = i + d / 16f;
            }
            assertThat(cache.get(texts.get(i))).as(texts.get(i)).containsExactly(expected);
        }
    }

    private static void flipByte(Path file, long offset) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(offset);
            int b = raf.read();
            raf.seek(offset);
            raf.write(b ^ 0x10);
        }
    }
}
