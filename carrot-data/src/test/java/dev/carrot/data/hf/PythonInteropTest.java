package dev.carrot.data.hf;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks the cache against the real Python {@code huggingface_hub}, both ways, over {@link FakeHub}. Runs only when
 * {@code CARROT_HF_PYTHON} names a Python that can {@code import huggingface_hub}, for example
 * {@code CARROT_HF_PYTHON=/path/to/venv/bin/python mvn -B -q -pl carrot-data test -Dtest=PythonInteropTest}.
 */
@EnabledIfEnvironmentVariable(named = "CARROT_HF_PYTHON", matches = ".+")
class PythonInteropTest {

    private static final String REPO_ID = "CARROT-LLM-Routing/SPROUT";
    private static final HfRepo REPO = HfRepo.dataset(REPO_ID);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Downloads (or, offline, looks up) a snapshot and prints its folder and each file's SHA-256 as JSON. */
    private static final String SNAPSHOT_SCRIPT = String.join("\n",
            "import hashlib, json, os, sys",
            "from huggingface_hub import snapshot_download, scan_cache_dir",
            "folder = snapshot_download(repo_id=sys.argv[1], repo_type='dataset', revision=sys.argv[2],",
            "                           allow_patterns=sys.argv[3:])",
            "files = {}",
            "for root, _, names in os.walk(folder):",
            "    for name in names:",
            "        full = os.path.join(root, name)",
            "        rel = os.path.relpath(full, folder).replace(os.sep, '/')",
            "        files[rel] = hashlib.sha256(open(full, 'rb').read()).hexdigest()",
            "info = scan_cache_dir(os.environ['HF_HUB_CACHE'])",
            "refs = sorted(r for repo in info.repos for rev in repo.revisions for r in rev.refs)",
            "print(json.dumps({'folder': folder, 'files': files, 'refs': refs,",
            "                  'warnings': [str(w) for w in info.warnings]}))");

    @TempDir
    Path tmp;

    private FakeHub fake;
    private FakeHub.FakeRepo sprout;
    private final Map<String, byte[]> contents = new TreeMap<>();

    @BeforeEach
    void setUp() throws IOException {
        fake = FakeHub.start();
        contents.put("README.md", "# SPROUT\n".getBytes(StandardCharsets.UTF_8));
        contents.put("data/train-00000-of-00001.parquet", randomBytes(200_000, 1));
        contents.put("data/nested/extra.bin", randomBytes(3_000, 2));
        sprout = fake.dataset(REPO_ID).ref("refs/convert/parquet")
                .file("README.md", contents.get("README.md"))
                .lfsFile("data/train-00000-of-00001.parquet", contents.get("data/train-00000-of-00001.parquet"))
                .lfsFile("data/nested/extra.bin", contents.get("data/nested/extra.bin"));
    }

    @AfterEach
    void tearDown() {
        fake.close();
    }

    @Test
    void pythonUsesOurCacheOffline() throws Exception {
        Path cache = tmp.resolve("ours");
        new HfHub(new HfConfig(fake.endpoint(), cache))
                .download(REPO, "main", List.of("*"), DownloadListener.silent());
        new HfHub(new HfConfig(fake.endpoint(), cache))
                .download(REPO, "refs/convert/parquet", List.of("README.md"), DownloadListener.silent());
        fake.clearRequests();

        JsonNode result = python(cache, true, "main", "*");

        assertThat(fake.requestCount()).isZero();
        assertThat(result.get("warnings")).isEmpty();
        assertThat(result.get("folder").asText())
                .isEqualTo(cache.resolve("datasets--CARROT-LLM-Routing--SPROUT/snapshots/" + sprout.commit())
                        .toString());
        assertThat(hashes(result)).isEqualTo(expectedHashes());
        assertThat(result.get("refs")).extracting(JsonNode::asText).containsExactly("main", "refs/convert/parquet");
    }

    @Test
    void weReuseACacheDownloadedByPython() throws Exception {
        Path cache = tmp.resolve("python");
        JsonNode result = python(cache, false, "main", "*");
        assertThat(fake.requests()).anyMatch(r -> r.method().equals("HEAD") && r.rawPath().contains("/resolve/"));
        assertThat(hashes(result)).isEqualTo(expectedHashes());
        fake.clearRequests();

        HfSnapshot online = new HfHub(new HfConfig(fake.endpoint(), cache))
                .download(REPO, "main", List.of("*"), DownloadListener.silent());
        HfSnapshot offline = new HfHub(new HfConfig(fake.endpoint(), cache).withOffline(true))
                .download(REPO, "main", List.of("data/*"), DownloadListener.silent());

        assertThat(fake.fileRequestCount()).isZero();
        assertThat(online.files()).hasSize(3);
        for (HfFile file : online.files()) {
            assertThat(file.localPath()).hasBinaryContent(contents.get(file.path()));
        }
        assertThat(offline.files()).extracting(HfFile::path)
                .containsExactly("data/nested/extra.bin", "data/train-00000-of-00001.parquet");
        assertThat(offline.file("data/nested/extra.bin").orElseThrow().sha256())
                .contains(sprout.sha256("data/nested/extra.bin"));
    }

    private Map<String, String> expectedHashes() {
        Map<String, String> expected = new TreeMap<>();
        contents.forEach((path, bytes) -> expected.put(path, FakeHub.sha256Hex(bytes)));
        return expected;
    }

    private static Map<String, String> hashes(JsonNode result) {
        Map<String, String> hashes = new TreeMap<>();
        result.get("files").fields().forEachRemaining(e -> hashes.put(e.getKey(), e.getValue().asText()));
        return hashes;
    }

    private JsonNode python(Path cache, boolean offline, String revision, String... patterns) throws Exception {
        List<String> command = new ArrayList<>(List.of(System.getenv("CARROT_HF_PYTHON"), "-c", SNAPSHOT_SCRIPT,
                REPO_ID, revision));
        command.addAll(List.of(patterns));
        ProcessBuilder pb = new ProcessBuilder(command);
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("HF_") || k.startsWith("HUGGINGFACE_"));
        env.put("HF_ENDPOINT", fake.endpoint().toString());
        env.put("HF_HOME", tmp.resolve("hf-home").toString());
        env.put("HF_HUB_CACHE", cache.toString());
        env.put("HF_HUB_OFFLINE", offline ? "1" : "0");
        env.put("HF_HUB_DISABLE_TELEMETRY", "1");
        env.put("HF_HUB_DISABLE_PROGRESS_BARS", "1");
        Path err = tmp.resolve("python-stderr.txt");
        pb.redirectError(err.toFile());
        Process process = pb.start();
        byte[] out = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("python failed: %s", Files.readString(err)).isZero();
        String stdout = new String(out, StandardCharsets.UTF_8).strip();
        return JSON.readTree(stdout.substring(stdout.lastIndexOf('\n') + 1));
    }

    private static byte[] randomBytes(int n, long seed) {
        byte[] bytes = new byte[n];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
