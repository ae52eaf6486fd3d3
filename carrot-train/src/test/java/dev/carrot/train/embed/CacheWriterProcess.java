package dev.carrot.train.embed;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Child process for {@link EmbeddingCacheMultiProcessTest}: writes {@code segments} segments of {@code perSegment}
 * entries, opening the cache each time with a low compaction threshold so compactions race with the other process.
 * Arguments: root, prefix, segments, perSegment.
 */
public final class CacheWriterProcess {

    private CacheWriterProcess() {
    }

    public static void main(String[] args) {
        Path root = Path.of(args[0]);
        String prefix = args[1];
        int segments = Integer.parseInt(args[2]);
        int perSegment = Integer.parseInt(args[3]);
        CountingFakeEncoder fake = new CountingFakeEncoder(CountingFakeEncoder.SHA_A, 16);
        for (int s = 0; s < segments; s++) {
            List<String> texts = new ArrayList<>(perSegment);
            for (int i = 0; i < perSegment; i++) {
                texts.add(EmbeddingCacheMultiProcessTest.text(prefix, s * perSegment + i));
            }
            try (EmbeddingCache cache = EmbeddingCache.open(root, fake.info(), 3)) {
                cache.putAll(texts, fake.encodeAll(texts));
            }
        }
    }
}
