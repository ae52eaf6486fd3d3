package dev.carrot.data.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HfHubTest {

    static {
        // Make the client's debug lines visible to the token-leak test (effective when slf4j-simple creates the
        // package's loggers after this point, which is the case when this class runs first).
        System.setProperty("org.slf4j.simpleLogger.log.dev.carrot.data.hf", "debug");
    }

    private static final String REPO_ID = "CARROT-LLM-Routing/SPROUT";
    private static final HfRepo REPO = HfRepo.dataset(REPO_ID);
    private static final RetryPolicy FAST_RETRY = new RetryPolicy(4, Duration.ofMillis(5), Duration.ofMillis(20));

    @TempDir
    Path tmp;

    private FakeHub fake;
    private Path cache;
    private FakeHub.FakeRepo sprout;
    private byte[] readme;
    private byte[] train0;
    private byte[] train1;
    private byte[] deep;

    @BeforeEach
    void setUp() throws IOException {
        fake = FakeHub.start();
        cache = tmp.resolve("hub");
        readme = "# SPROUT\nrouting data\n".getBytes(StandardCharsets.UTF_8);
        train0 = randomBytes(300_000, 1);
        train1 = randomBytes(120_000, 2);
        deep = randomBytes(5_000, 3);
        sprout = fake.dataset(REPO_ID)
                .file("README.md", readme)
                .file("empty.txt", new byte[0])
                .lfsFile("data/train-00000-of-00002.parquet", train0)
                .lfsFile("data/train-00001-of-00002.parquet", train1)
                .lfsFile("data/extra/deep.bin", deep);
    }

    @AfterEach
    void tearDown() {
        fake.close();
    }

    private HfConfig config() {
        return new HfConfig(fake.endpoint(), cache);
    }

    private HfHub client(HfConfig config) {
        return new HfHub(config, FAST_RETRY, true);
    }

    private HfSnapshot download(HfConfig config, String revision, String... patterns) throws IOException {
        return client(config).download(REPO, revision, List.of(patterns), DownloadListener.silent());
    }

    private Path repoDir() {
        return cache.resolve("datasets--CARROT-LLM-Routing--SPROUT");
    }

    // ---------------------------------------------------------------------------------------- layout and reuse

    @Test
    void freshDownloadCreatesThePythonCacheLayout() throws IOException {
        HfSnapshot snapshot = download(config(), "main", "*");

        String commit = sprout.commit();
        Path snapshots = repoDir().resolve("snapshots").resolve(commit);
        assertThat(snapshot.commit()).isEqualTo(commit);
        assertThat(snapshot.revision()).isEqualTo("main");
        assertThat(snapshot.snapshotDir()).isEqualTo(snapshots);
        assertThat(snapshot.files()).extracting(HfFile::path).containsExactly("README.md",
                "data/extra/deep.bin", "data/train-00000-of-00002.parquet", "data/train-00001-of-00002.parquet",
                "empty.txt");
        assertThat(repoDir().resolve("refs/main")).hasContent(commit);
        assertThat(Files.readString(repoDir().resolve("refs/main"))).doesNotEndWith("\n");

        String trainSha = sprout.sha256("data/train-00000-of-00002.parquet");
        assertThat(repoDir().resolve("blobs").resolve(trainSha)).hasBinaryContent(train0);
        assertThat(repoDir().resolve("blobs").resolve(sprout.blobId("README.md"))).hasBinaryContent(readme);
        assertThat(Files.readSymbolicLink(snapshots.resolve("README.md")).toString())
                .isEqualTo("../../blobs/" + sprout.blobId("README.md"));
        assertThat(Files.readSymbolicLink(snapshots.resolve("data/train-00000-of-00002.parquet")).toString())
                .isEqualTo("../../../blobs/" + trainSha);
        assertThat(Files.readSymbolicLink(snapshots.resolve("data/extra/deep.bin")).toString())
                .isEqualTo("../../../../blobs/" + sprout.sha256("data/extra/deep.bin"));
        assertThat(snapshots.resolve("empty.txt")).isEmptyFile();
        assertThat(cache.resolve(".locks/datasets--CARROT-LLM-Routing--SPROUT")).isDirectory();
        try (Stream<Path> blobs = Files.list(repoDir().resolve("blobs"))) {
            assertThat(blobs.map(p -> p.getFileName().toString())).hasSize(5).noneMatch(n -> n.contains("."));
        }

        HfFile train = snapshot.file("data/train-00000-of-00002.parquet").orElseThrow();
        assertThat(train.localPath()).hasBinaryContent(train0);
        assertThat(train.size()).isEqualTo(train0.length);
        assertThat(train.sha256()).contains(trainSha);
        assertThat(train.blobId()).contains(sprout.blobId("data/train-00000-of-00002.parquet"));
        assertThat(train.isLfs()).isTrue();
        HfFile md = snapshot.file("README.md").orElseThrow();
        assertThat(md.sha256()).isEmpty();
        assertThat(md.etag()).contains(sprout.blobId("README.md"));
        assertThat(snapshot.totalBytes()).isEqualTo(readme.length + train0.length + train1.length + deep.length);
    }

    @Test
    void aSecondDownloadMakesNoFileRequests() throws IOException {
        download(config(), "main", "*");
        fake.clearRequests();

        HfSnapshot again = download(config(), "main", "*");

        assertThat(fake.fileRequestCount()).isZero();
        assertThat(fake.requests()).allMatch(r -> r.path().startsWith("/api/"));
        assertThat(again.file("data/train-00001-of-00002.parquet").orElseThrow().localPath())
                .hasBinaryContent(train1);
    }

    @Test
    void reusesACacheLaidOutByPython() throws IOException {
        // As huggingface_hub leaves it: blobs, relative symlinks, refs/main without a newline.
        String commit = sprout.commit();
        String sha = sprout.sha256("data/train-00000-of-00002.parquet");
        Path blobs = Files.createDirectories(repoDir().resolve("blobs"));
        Files.write(blobs.resolve(sha), train0);
        Path snap = Files.createDirectories(repoDir().resolve("snapshots").resolve(commit).resolve("data"));
        Files.createSymbolicLink(snap.resolve("train-00000-of-00002.parquet"), Path.of("../../../blobs/" + sha));
        Files.createDirectories(repoDir().resolve("refs"));
        Files.writeString(repoDir().resolve("refs/main"), commit);
        // And a blob that is cached but not yet linked into this snapshot.
        Files.write(blobs.resolve(sprout.sha256("data/train-00001-of-00002.parquet")), train1);

        HfSnapshot snapshot = download(config(), "main", "data/train-*");

        assertThat(fake.fileRequestCount()).isZero();
        assertThat(snapshot.files()).hasSize(2);
        assertThat(snapshot.file("data/train-00000-of-00002.parquet").orElseThrow().localPath())
                .hasBinaryContent(train0);
        assertThat(Files.readSymbolicLink(snap.resolve("train-00001-of-00002.parquet")).toString())
                .isEqualTo("../../../blobs/" + sprout.sha256("data/train-00001-of-00002.parquet"));
    }

    @Test
    void reusesAPythonSnapshotThatHoldsCopiesInsteadOfSymlinks() throws IOException {
        Path snap = Files.createDirectories(repoDir().resolve("snapshots").resolve(sprout.commit()));
        Files.write(snap.resolve("README.md"), readme);

        HfSnapshot snapshot = download(config(), "main", "README.md");

        assertThat(fake.fileRequestCount()).isZero();
        assertThat(snapshot.files().get(0).localPath()).hasBinaryContent(readme);
    }

    @Test
    void aCachedFileOfTheWrongSizeIsFetchedAgain() throws IOException {
        Path snap = Files.createDirectories(repoDir().resolve("snapshots").resolve(sprout.commit()));
        Files.write(snap.resolve("README.md"), new byte[] {1, 2, 3});

        HfSnapshot snapshot = download(config(), "main", "README.md");

        assertThat(fake.fileRequestCount()).isEqualTo(1);
        assertThat(snapshot.files().get(0).localPath()).hasBinaryContent(readme);
        assertThat(Files.isSymbolicLink(snap.resolve("README.md"))).isTrue();
    }

    @Test
    void storesCopiesWhereSymlinksAreNotAvailable() throws IOException {
        HfSnapshot snapshot = new HfHub(config(), FAST_RETRY, false)
                .download(REPO, "main", List.of("*"), DownloadListener.silent());

        Path train = snapshot.snapshotDir().resolve("data/train-00000-of-00002.parquet");
        assertThat(Files.isSymbolicLink(train)).isFalse();
        assertThat(train).hasBinaryContent(train0);

        HfSnapshot offline = download(config().withOffline(true), "main", "data/*");
        assertThat(offline.files()).hasSize(3);
        assertThat(offline.file("data/train-00000-of-00002.parquet").orElseThrow().etag()).isEmpty();
    }

    @Test
    void resolvesTagsAndRefsWithSlashesAndWritesTheirRefFiles() throws IOException {
        sprout.ref("refs/convert/parquet").ref("v1.0");

        HfSnapshot snapshot = download(config(), "refs/convert/parquet", "README.md");
        download(config(), "v1.0", "README.md");

        assertThat(snapshot.commit()).isEqualTo(sprout.commit());
        assertThat(repoDir().resolve("refs/refs/convert/parquet")).hasContent(sprout.commit());
        assertThat(repoDir().resolve("refs/v1.0")).hasContent(sprout.commit());
        assertThat(fake.requests()).anyMatch(r -> r.rawPath().endsWith("/revision/refs%2Fconvert%2Fparquet"));
    }

    @Test
    void aCommitRevisionNeedsNoResolvingAndWritesNoRef() throws IOException {
        HfSnapshot snapshot = download(config(), sprout.commit(), "README.md");

        assertThat(snapshot.revision()).isEqualTo(sprout.commit());
        assertThat(repoDir().resolve("refs")).doesNotExist();
        assertThat(fake.requests()).noneMatch(r -> r.rawPath().contains("/revision/"));
    }

    @Test
    void downloadsModelRepositoriesWithoutTheDatasetsPrefix() throws IOException {
        byte[] weights = randomBytes(2_000, 9);
        FakeHub.FakeRepo model = fake.model("org/tiny-model").file("config.json", "{}").lfsFile("model.onnx", weights);

        HfSnapshot snapshot = client(config()).download(HfRepo.model("org/tiny-model"), "main", List.of("*"),
                DownloadListener.silent());

        assertThat(snapshot.snapshotDir())
                .isEqualTo(cache.resolve("models--org--tiny-model/snapshots").resolve(model.commit()));
        assertThat(snapshot.file("model.onnx").orElseThrow().localPath()).hasBinaryContent(weights);
        assertThat(fake.requests()).anyMatch(r -> r.rawPath().equals("/api/models/org/tiny-model/revision/main"));
        assertThat(fake.requests()).anyMatch(r -> r.rawPath().equals("/org/tiny-model/resolve/" + model.commit()
                + "/config.json"));
    }

    @Test
    void encodesFileNamesInUrls() throws IOException {
        sprout.file("data/with space+plus#hash.txt", "odd");

        HfSnapshot snapshot = download(config(), "main", "data/with*");

        assertThat(snapshot.files().get(0).localPath()).hasContent("odd");
        assertThat(fake.requests()).anyMatch(r -> r.rawPath().endsWith("/data/with%20space%2Bplus%23hash.txt"));
    }

    // ------------------------------------------------------------------------------------ resume and retries

    @Test
    void resumesATransferCutInTheMiddleWithARangeRequest() throws IOException {
        String path = "data/train-00000-of-00002.parquet";
        sprout.cutAfter(path, 100_000);

        HfSnapshot snapshot = download(config(), "main", path);

        assertThat(snapshot.files().get(0).localPath()).hasBinaryContent(train0);
        List<FakeHub.Request> cdn = fake.requests(r -> r.server().equals("cdn"));
        assertThat(cdn).hasSize(2);
        assertThat(cdn.get(0).range()).isEmpty();
        assertThat(cdn.get(1).range()).hasValueSatisfying(range -> {
            assertThat(range).matches("bytes=\\d+-");
            long from = Long.parseLong(range.substring(6, range.length() - 1));
            assertThat(from).isPositive().isLessThanOrEqualTo(100_000);
        });
        assertThat(repoDir().resolve("blobs").resolve(sprout.sha256(path) + ".incomplete")).doesNotExist();
    }

    @Test
    void resumesAPartialFileLeftByAnEarlierRun() throws IOException {
        String path = "data/train-00001-of-00002.parquet";
        Path incomplete = Files.createDirectories(repoDir().resolve("blobs")).resolve(sprout.sha256(path)
                + ".incomplete");
        Files.write(incomplete, java.util.Arrays.copyOf(train1, 40_000));
        List<String> events = Collections.synchronizedList(new ArrayList<>());

        HfSnapshot snapshot = client(config()).download(REPO, "main", List.of(path), recording(events));

        assertThat(snapshot.files().get(0).localPath()).hasBinaryContent(train1);
        assertThat(fake.requests(r -> r.server().equals("cdn"))).singleElement()
                .satisfies(r -> assertThat(r.range()).contains("bytes=40000-"));
        assertThat(incomplete).doesNotExist();
        assertThat(events.get(0)).isEqualTo("start " + path + " " + train1.length + " from 40000");
        assertThat(events.get(events.size() - 1)).isEqualTo("done " + path + " " + train1.length);
    }

    @Test
    void startsOverWhenTheServerIgnoresTheRange() throws IOException {
        String path = "data/train-00001-of-00002.parquet";
        sprout.ignoreRange(path);
        Path incomplete = Files.createDirectories(repoDir().resolve("blobs")).resolve(sprout.sha256(path)
                + ".incomplete");
        Files.write(incomplete, new byte[40_000]); // garbage that must not survive

        HfSnapshot snapshot = download(config(), "main", path);

        assertThat(snapshot.files().get(0).localPath()).hasBinaryContent(train1);
    }

    @Test
    void aPartialFileThatIsAlreadyCompleteIsVerifiedAfterA416() throws IOException {
        String path = "data/train-00001-of-00002.parquet";
        Path incomplete = Files.createDirectories(repoDir().resolve("blobs")).resolve(sprout.sha256(path)
                + ".incomplete");
        Files.write(incomplete, train1);

        HfSnapshot snapshot = download(config(), "main", path);

        assertThat(snapshot.files().get(0).localPath()).hasBinaryContent(train1);
        assertThat(fake.requests(r -> r.server().equals("cdn"))).singleElement()
                .satisfies(r -> assertThat(r.range()).contains("bytes=" + train1.length + "-"));
    }

    @Test
    void retriesServerErrorsWithBackoff() throws IOException {
        fake.failNext("/resolve/", 503, 2);

        HfSnapshot snapshot = download(config(), "main", "README.md");

        assertThat(snapshot.files().get(0).localPath()).hasBinaryContent(readme);
        assertThat(fake.requests(r -> r.rawPath().contains("/resolve/"))).hasSize(3);
    }

    @Test
    void givesUpAfterTheLastRetryAndKeepsThePartialFile() {
        fake.failNext("/resolve/", 500, 100);

        assertThatThrownBy(() -> download(config(), "main", "README.md"))
                .isInstanceOfSatisfying(HfHubException.class, e -> {
                    assertThat(e.kind()).isEqualTo(HfHubException.Kind.HTTP_ERROR);
                    assertThat(e.statusCode()).hasValue(500);
                    assertThat(e).hasMessageContaining("giving up after 4 attempts").hasMessageContaining("README.md");
                });
        assertThat(repoDir().resolve("snapshots").resolve(sprout.commit()).resolve("README.md")).doesNotExist();
    }

    @Test
    void aStalledTransferTimesOutAndResumes() throws IOException {
        String path = "data/train-00000-of-00002.parquet";
        sprout.stallAfter(path, 50_000, Duration.ofSeconds(20));
        long start = System.nanoTime();

        HfSnapshot snapshot = download(config().withTimeout(Duration.ofMillis(800)), "main", path);

        assertThat(snapshot.files().get(0).localPath()).hasBinaryContent(train0);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
        assertThat(fake.requests(r -> r.server().equals("cdn")).get(1).range()).isPresent();
    }

    @Test
    void concurrentDownloadsOfTheSameBlobShareOneTransfer() throws Exception {
        String path = "data/train-00000-of-00002.parquet";
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<HfSnapshot>> results = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Callable<HfSnapshot> task = () -> download(config(), "main", path);
                results.add(pool.submit(task));
            }
            for (Future<HfSnapshot> f : results) {
                assertThat(f.get().files().get(0).localPath()).hasBinaryContent(train0);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(sprout.dataRequests(path)).isEqualTo(1);
    }

    // ------------------------------------------------------------------------------------------- integrity

    @Test
    void aWrongSha256FailsAndLeavesNoFinalFile() {
        String path = "data/train-00001-of-00002.parquet";
        sprout.corrupt(path);
        byte[] served = train1.clone();
        served[served.length / 2] ^= 0x5a;

        assertThatThrownBy(() -> download(config(), "main", path))
                .isInstanceOfSatisfying(HfHubException.class, e -> {
                    assertThat(e.kind()).isEqualTo(HfHubException.Kind.CHECKSUM_MISMATCH);
                    assertThat(e).hasMessageContaining(path)
                            .hasMessageContaining(sprout.sha256(path))
                            .hasMessageContaining(FakeHub.sha256Hex(served));
                });
        Path blobs = repoDir().resolve("blobs");
        assertThat(blobs.resolve(sprout.sha256(path))).doesNotExist();
        assertThat(blobs.resolve(sprout.sha256(path) + ".incomplete")).doesNotExist();
        assertThat(repoDir().resolve("snapshots").resolve(sprout.commit()).resolve(path)).doesNotExist();
    }

    @Test
    void aWrongGitBlobIdFailsForRegularFiles() {
        sprout.corrupt("README.md");

        assertThatThrownBy(() -> download(config(), "main", "README.md"))
                .isInstanceOfSatisfying(HfHubException.class, e -> {
                    assertThat(e.kind()).isEqualTo(HfHubException.Kind.CHECKSUM_MISMATCH);
                    assertThat(e).hasMessageContaining("git blob id " + sprout.blobId("README.md"));
                });
        assertThat(repoDir().resolve("blobs").resolve(sprout.blobId("README.md"))).doesNotExist();
    }

    @ParameterizedTest
    @ValueSource(strings = {"../x", "/etc/passwd", "a/../../b", "a\\..\\b", "C:/Windows/x", "a//b", "./a", "a/"})
    void refusesUnsafePathsFromTheFileList(String evil) {
        sprout.file(evil, "pwned");

        assertThatThrownBy(() -> download(config(), "main", "*"))
                .isInstanceOfSatisfying(HfHubException.class, e -> {
                    assertThat(e.kind()).isEqualTo(HfHubException.Kind.UNSAFE_PATH);
                    assertThat(e).hasMessageContaining(evil);
                });
        assertThat(fake.fileRequestCount()).isZero();
        assertThat(tmp.resolve("x")).doesNotExist();
        assertThat(tmp.resolve("b")).doesNotExist();
    }

    // ------------------------------------------------------------------------------------------- HTTP errors

    @Test
    void unauthorizedWithoutATokenSaysToSetHfToken() {
        fake.requireToken("hf_correct_token_123");

        assertThatThrownBy(() -> download(config(), "main", "*"))
                .isInstanceOfSatisfying(HfHubException.class, e -> {
                    assertThat(e.kind()).isEqualTo(HfHubException.Kind.UNAUTHORIZED);
                    assertThat(e.statusCode()).hasValue(401);
                    assertThat(e).hasMessageContaining("requires authentication")
                            .hasMessageContaining("set HF_TOKEN to a token with access to datasets/" + REPO_ID);
                });
    }

    @Test
    void unauthorizedWithARejectedTokenSaysTheTokenWasRejected() {
        fake.requireToken("hf_correct_token_123");

        assertThatThrownBy(() -> download(config().withToken("hf_wrong_token_456"), "main", "*"))
                .isInstanceOfSatisfying(HfHubException.class, e -> {
                    assertThat(e.kind()).isEqualTo(HfHubException.Kind.UNAUTHORIZED);
                    assertThat(e).hasMessageContaining("rejected the access token for datasets/" + REPO_ID)
                            .hasMessageNotContaining("hf_wrong_token_456");
                });
    }

    @Test
    void aValidTokenIsSentToTheHubButNotToTheCdn() throws IOException {
        fake.requireToken("hf_correct_token_123");

        HfSnapshot snapshot = download(config().withToken("hf_correct_token_123"), "main", "*");

        assertThat(snapshot.files()).hasSize(5);
        assertThat(fake.requests(r -> r.server().equals("hub")))
                .allMatch(r -> r.authorization().equals(java.util.Optional.of("Bearer hf_correct_token_123")));
        assertThat(fake.requests(r -> r.server().equals("cdn"))).hasSize(3);
        assertThat(fake.cdnSawAuthorization()).isFalse();
    }

    @Test
    void forbiddenForAGatedRepoSaysWhereToRequestAccess() {
        sprout.gated();

        assertThatThrownBy(() -> download(config(), "main", "*"))
                .isInstanceOfSatisfying(HfHubException.class, e -> {
                    assertThat(e.kind()).isEqualTo(HfHubException.Kind.FORBIDDEN);
                    assertThat(e).hasMessageContaining("gated")
                            .hasMessageContaining("request access at " + fake.endpoint() + "/datasets/" + REPO_ID);
                });
    }

    @Test
    void notFoundNamesTheMissingRepository() {
        assertThatThrownBy(() -> client(config()).download(HfRepo.dataset("org/missing"), "main", List.of("*"),
                DownloadListener.silent()))
                .isInstanceOfSatisfying(HfHubException.class, e -> {
                    assertThat(e.kind()).isEqualTo(HfHubException.Kind.NOT_FOUND);
                    assertThat(e).hasMessageContaining("repository datasets/org/missing not found");
                });
    }

    @Test
    void notFoundNamesTheMissingRevision() {
        assertThatThrownBy(() -> download(config(), "no-such-branch", "*"))
                .isInstanceOfSatisfying(HfHubException.class, e -> {
                    assertThat(e.kind()).isEqualTo(HfHubException.Kind.NOT_FOUND);
                    assertThat(e).hasMessageContaining("revision 'no-such-branch' not found in datasets/" + REPO_ID);
                });
    }

    @Test
    void notFoundNamesAMissingCommit() {
        String commit = "0123456789abcdef0123456789abcdef01234567";

        assertThatThrownBy(() -> download(config(), commit, "*"))
                .isInstanceOfSatisfying(HfHubException.class, e -> {
                    assertThat(e.kind()).isEqualTo(HfHubException.Kind.NOT_FOUND);
                    assertThat(e).hasMessageContaining("revision '" + commit + "' not found in datasets/" + REPO_ID);
                });
    }

    @Test
    void notFoundNamesTheMissingFile() {
        sprout.listOnly("README.md");

        assertThatThrownBy(() -> download(config(), "main", "README.md"))
                .isInstanceOfSatisfying(HfHubException.class, e -> {
                    assertThat(e.kind()).isEqualTo(HfHubException.Kind.NOT_FOUND);
                    assertThat(e).hasMessageContaining("file 'README.md' not found in datasets/" + REPO_ID);
                });
    }

    @Test
    void otherStatusesAreHttpErrorsWithStatusAndUrl() {
        fake.failNext("/revision/", 418, 1);

        assertThatThrownBy(() -> download(config(), "main", "*"))
                .isInstanceOfSatisfying(HfHubException.class, e -> {
                    assertThat(e.kind()).isEqualTo(HfHubException.Kind.HTTP_ERROR);
                    assertThat(e.statusCode()).hasValue(418);
                    assertThat(e).hasMessageContaining("HTTP 418 from GET " + fake.endpoint()
                            + "/api/datasets/" + REPO_ID + "/revision/main");
                });
    }

    // ---------------------------------------------------------------------------------------- globs, pages

    @Test
    void selectsFilesByGlob() throws IOException {
        HfSnapshot snapshot = download(config(), "main", "data/train-*.parquet", "README.?d");

        assertThat(snapshot.files()).extracting(HfFile::path).containsExactly("README.md",
                "data/train-00000-of-00002.parquet", "data/train-00001-of-00002.parquet");
        assertThat(sprout.dataRequests("data/extra/deep.bin")).isZero();
    }

    @Test
    void globsThatMatchNothingListThePatternsAndSomeFiles() {
        assertThatThrownBy(() -> download(config(), "main", "*.csv", "data/test-*"))
                .isInstanceOfSatisfying(HfHubException.class, e -> {
                    assertThat(e.kind()).isEqualTo(HfHubException.Kind.NO_MATCHING_FILES);
                    assertThat(e).hasMessageContaining("[*.csv, data/test-*]")
                            .hasMessageContaining("README.md")
                            .hasMessageContaining("data/train-00000-of-00002.parquet");
                });
    }

    @Test
    void followsThePaginationOfTheFileList() throws IOException {
        for (int i = 0; i < 7; i++) {
            sprout.file("more/file-" + i + ".txt", "content " + i);
        }
        fake.treePageSize(2);

        HfSnapshot snapshot = download(config(), "main", "more/*");

        assertThat(snapshot.files()).hasSize(7);
        List<FakeHub.Request> pages = fake.requests(r -> r.rawPath().contains("/tree/"));
        assertThat(pages.size()).isGreaterThanOrEqualTo(7);
        assertThat(pages.get(0).query()).isEqualTo("recursive=true");
        assertThat(pages.get(1).query()).contains("cursor=");
    }

    @Test
    void rejectsBadArguments() {
        HfHub hub = client(config());
        assertThatThrownBy(() -> hub.download(REPO, "main", List.of(), DownloadListener.silent()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"*\"");
        assertThatThrownBy(() -> hub.download(REPO, "../main", List.of("*"), DownloadListener.silent()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'../main'");
        assertThatThrownBy(() -> hub.download(REPO, " ", List.of("*"), DownloadListener.silent()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(fake.requestCount()).isZero();
    }

    // ------------------------------------------------------------------------------------- offline, fallback

    @Test
    void offlineServesTheCacheWithoutAnyRequest() throws IOException {
        HfSnapshot online = download(config(), "main", "*");
        fake.clearRequests();

        HfSnapshot offline = download(config().withOffline(true), "main", "data/*");
        HfSnapshot byCommit = download(config().withOffline(true), sprout.commit(), "README.md");

        assertThat(fake.requestCount()).isZero();
        assertThat(offline.commit()).isEqualTo(online.commit());
        assertThat(offline.files()).extracting(HfFile::path).containsExactly("data/extra/deep.bin",
                "data/train-00000-of-00002.parquet", "data/train-00001-of-00002.parquet");
        HfFile train = offline.file("data/train-00000-of-00002.parquet").orElseThrow();
        assertThat(train.localPath()).hasBinaryContent(train0);
        assertThat(train.sha256()).contains(sprout.sha256("data/train-00000-of-00002.parquet"));
        assertThat(byCommit.file("README.md").orElseThrow().blobId()).contains(sprout.blobId("README.md"));
    }

    @Test
    void offlineWithoutACacheSaysWhatWasLookedForAndHowToFixIt() {
        assertThatThrownBy(() -> download(config().withOffline(true), "main", "*"))
                .isInstanceOfSatisfying(HfHubException.class, e -> {
                    assertThat(e.kind()).isEqualTo(HfHubException.Kind.OFFLINE_NOT_CACHED);
                    assertThat(e).hasMessageContaining("datasets/" + REPO_ID)
                            .hasMessageContaining("revision 'main'")
                            .hasMessageContaining(repoDir().resolve("refs/main").toString())
                            .hasMessageContaining(cache.toString())
                            .hasMessageContaining("HF_HUB_OFFLINE")
                            .hasMessageContaining("HF_HUB_CACHE");
                });
        assertThat(fake.requestCount()).isZero();
    }

    @Test
    void offlineWithACacheLackingTheRequestedFilesSaysSo() throws IOException {
        download(config(), "main", "README.md");

        assertThatThrownBy(() -> download(config().withOffline(true), "main", "data/*"))
                .isInstanceOfSatisfying(HfHubException.class, e -> {
                    assertThat(e.kind()).isEqualTo(HfHubException.Kind.OFFLINE_NOT_CACHED);
                    assertThat(e).hasMessageContaining("no cached file matching [data/*]")
                            .hasMessageContaining("README.md");
                });
    }

    @Test
    void anUnreachableHubFallsBackToTheCachedSnapshot() throws IOException {
        download(config(), "main", "*");
        HfConfig unreachable = config().withEndpoint(closedPort());

        HfSnapshot snapshot = download(unreachable, "main", "data/train-*");

        assertThat(snapshot.commit()).isEqualTo(sprout.commit());
        assertThat(snapshot.files()).hasSize(2);
        assertThat(snapshot.files().get(0).localPath()).hasBinaryContent(train0);
    }

    @Test
    void anUnreachableHubWithoutACacheNamesTheEndpoint() throws IOException {
        URI endpoint = closedPort();

        assertThatThrownBy(() -> download(config().withEndpoint(endpoint), "main", "*"))
                .isInstanceOfSatisfying(HfHubException.class, e -> {
                    assertThat(e.kind()).isEqualTo(HfHubException.Kind.HUB_UNREACHABLE);
                    assertThat(e).hasMessageContaining("cannot reach the Hub at " + endpoint)
                            .hasMessageContaining("HF_HUB_OFFLINE=1")
                            .hasMessageContaining("is not in the local cache");
                });
    }

    @Test
    void aHubThatKeepsFailingWith5xxFallsBackToTheCache() throws IOException {
        download(config(), "main", "*");
        fake.failNext("/revision/", 503, 100);

        HfSnapshot snapshot = download(config(), "main", "README.md");

        assertThat(snapshot.files().get(0).localPath()).hasBinaryContent(readme);
    }

    // ------------------------------------------------------------------------------------------ secrets

    @Test
    void theTokenNeverAppearsInLogsMessagesOrToString() throws Exception {
        String token = "hf_SuperSecretToken_9f8e7d6c5b4a";
        fake.requireToken(token);
        sprout.cutAfter("data/train-00000-of-00002.parquet", 10_000);
        List<String> texts = new ArrayList<>();
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream originalErr = System.err;
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            HfConfig withToken = config().withToken(token);
            texts.add(withToken.toString());
            HfSnapshot snapshot = new HfHub(withToken, FAST_RETRY, true)
                    .download(REPO, "main", List.of("*"), DownloadListener.standard());
            texts.add(snapshot.toString());
            // Failures while the token is in use: a 5xx, a missing revision, a missing repo, a gated repo.
            fake.failNext("/resolve/", 500, 100);
            sprout.file("new.txt", "new");
            texts.add(messageOf(() -> download(withToken, "main", "new.txt")));
            texts.add(messageOf(() -> download(withToken, "nope", "*")));
            texts.add(messageOf(() -> new HfHub(withToken, FAST_RETRY, true).download(HfRepo.dataset("a/b"), "main",
                    List.of("*"), DownloadListener.silent())));
            fake.dataset("org/gated").file("x", "y").gated();
            texts.add(messageOf(() -> new HfHub(withToken, FAST_RETRY, true).download(HfRepo.dataset("org/gated"),
                    "main", List.of("*"), DownloadListener.silent())));
            fake.requireToken("hf_other");
            texts.add(messageOf(() -> download(withToken, "main", "*")));
        } finally {
            System.setErr(originalErr);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        originalErr.print(log);

        assertThat(log).contains("Downloaded data/train-00000-of-00002.parquet").contains("resuming")
                .doesNotContain(token).doesNotContain("SuperSecret");
        assertThat(texts).hasSize(7).allSatisfy(t -> assertThat(t).doesNotContain(token));
        assertThat(fake.cdnSawAuthorization()).isFalse();
        assertThat(fake.requests(r -> r.server().equals("hub"))).isNotEmpty()
                .allMatch(r -> r.authorization().isPresent());
    }

    // ------------------------------------------------------------------------------------------ helpers

    private static String messageOf(ThrowingRunnable action) {
        try {
            action.run();
        } catch (Exception e) {
            StringBuilder all = new StringBuilder();
            for (Throwable t = e; t != null; t = t.getCause()) {
                all.append(t).append('\n');
            }
            return all.toString();
        }
        throw new AssertionError("expected a failure");
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    private static DownloadListener recording(List<String> events) {
        return new DownloadListener() {
            @Override
            public void onStart(HfRepo repo, String path, long totalBytes, long resumedFrom) {
                events.add("start " + path + " " + totalBytes + " from " + resumedFrom);
            }

            @Override
            public void onProgress(HfRepo repo, String path, long bytesDone, long totalBytes) {
                events.add("progress " + path + " " + bytesDone);
            }

            @Override
            public void onDone(HfRepo repo, String path, long totalBytes) {
                events.add("done " + path + " " + totalBytes);
            }
        };
    }

    private static URI closedPort() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            port = socket.getLocalPort();
        }
        return URI.create("http://127.0.0.1:" + port);
    }

    private static byte[] randomBytes(int n, long seed) {
        byte[] bytes = new byte[n];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
