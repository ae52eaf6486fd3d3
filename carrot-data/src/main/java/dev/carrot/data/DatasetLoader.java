package dev.carrot.data;

import dev.carrot.data.hf.DownloadListener;
import dev.carrot.data.hf.HfConfig;
import dev.carrot.data.hf.HfFile;
import dev.carrot.data.hf.HfHub;
import dev.carrot.data.hf.HfHubException;
import dev.carrot.data.hf.HfRepo;
import dev.carrot.data.hf.HfSnapshot;
import dev.carrot.data.internal.CacheDir;
import dev.carrot.data.internal.EmbeddedFiles;
import dev.carrot.data.internal.SplitNames;
import dev.carrot.data.longformat.LongFormatReader;
import dev.carrot.data.wide.WideFormatReader;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;
import dev.carrot.data.longformat.FileType;

/**
 * Loads a routing dataset from what a user types after {@code --data}:
 * <ul>
 *   <li>a known dataset's name ({@code sprout}, {@code sprout-o3mini}, {@code zeroeval}, {@code routerbench_subset},
 *       {@code routerdc_7model}): its descriptor says where it is and how to read it; {@code zeroeval} ships inside
 *       this jar and is read from a checked copy in carrot's cache;</li>
 *   <li>a local file (long format: Parquet, CSV, TSV, JSON Lines) or a folder of such files, all of one type; a
 *       spec that names a data file ({@code x.csv}) or starts like a path ({@code ./}, {@code ../}, {@code /},
 *       {@code ~}) is always a path, and a missing one is "no such file or folder";</li>
 *   <li>an HF dataset repo id, {@code org/name} or {@code hf://datasets/org/name}, optionally {@code @revision}:
 *       SPROUT repos are read with their descriptor, any other repo as long-format files.</li>
 * </ul>
 */
public final class DatasetLoader {

    /**
     * @param hf          HuggingFace Hub settings (endpoint, cache, offline, token)
     * @param revision    a revision to use instead of the descriptor's or {@code main}
     * @param splitPolicy how unsplit data is split and validation is carved out of train
     * @param listener    download progress
     * @param cacheDir    carrot's cache directory, where embedded datasets are extracted to; empty: the system
     *                    property {@code carrot.cache.dir}, {@code $CARROT_CACHE_DIR}, {@code $XDG_CACHE_HOME/carrot}
     *                    or {@code ~/.cache/carrot} (carrot-route's {@code CarrotHome.cacheDir()} rules), looked up
     *                    when needed
     */
    public record Options(HfConfig hf, Optional<String> revision, SplitPolicy splitPolicy, DownloadListener listener,
                          Optional<Path> cacheDir) {
        public Options {
            Objects.requireNonNull(hf, "hf");
            Objects.requireNonNull(revision, "revision");
            Objects.requireNonNull(splitPolicy, "splitPolicy");
            Objects.requireNonNull(listener, "listener");
            Objects.requireNonNull(cacheDir, "cacheDir");
        }

        /** Options with carrot's cache directory found when needed. */
        public Options(HfConfig hf, Optional<String> revision, SplitPolicy splitPolicy, DownloadListener listener) {
            this(hf, revision, splitPolicy, listener, Optional.empty());
        }

        /** Hub settings from the environment, the default split policy, progress on a terminal. */
        public static Options defaults() {
            return new Options(HfConfig.fromEnvironment(), Optional.empty(), new SplitPolicy(),
                    DownloadListener.standard());
        }

        public Options withRevision(String rev) {
            return new Options(hf, Optional.ofNullable(rev), splitPolicy, listener, cacheDir);
        }

        public Options withHf(HfConfig newHf) {
            return new Options(newHf, revision, splitPolicy, listener, cacheDir);
        }

        /** The same options with carrot's cache directory given ({@code --cache-dir}). */
        public Options withCacheDir(Path dir) {
            return new Options(hf, revision, splitPolicy, listener,
                    Optional.of(dir.toAbsolutePath().normalize()));
        }

        /** The cache directory to use: the one given, else found by carrot's rules. */
        public Path resolvedCacheDir() {
            return cacheDir.orElseGet(CacheDir::resolve);
        }
    }

    /** How the source of an embedded dataset is named in provenance: {@code embedded:datasets/<path>}. */
    public static final String EMBEDDED_PREFIX = "embedded:";

    private final Options options;

    public DatasetLoader(Options options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    /** What a spec refers to. */
    public record Resolved(Optional<DatasetDescriptor> descriptor, Optional<Path> local, Optional<String> repo,
                           Optional<String> revision) {
    }

    /** Works out what {@code spec} names, without loading anything. */
    public Resolved resolve(String spec) {
        Objects.requireNonNull(spec, "spec");
        String s = spec.strip();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("--data is empty: give a file, a folder, an HF repo id or one of "
                    + knownNames());
        }
        Path p = Path.of(s);
        if (Files.exists(p)) {
            // a known dataset's file given by path still gets its descriptor (models, reference results): matched by
            // file name here; users of the descriptor's reference results check the file's SHA-256
            Optional<DatasetDescriptor> known = DatasetDescriptor.known().stream()
                    .filter(d -> d.source().path().map(k -> Path.of(k).getFileName().equals(p.getFileName()))
                            .orElse(false)).findFirst();
            return new Resolved(known, Optional.of(p), Optional.empty(), Optional.empty());
        }
        Optional<DatasetDescriptor> byName = DatasetDescriptor.find(s);
        if (byName.isEmpty() && namesAPath(s)) {
            throw new IllegalArgumentException("no such file or folder: " + s + " (resolved to "
                    + p.toAbsolutePath().normalize() + ")" + (s.startsWith("~") ? "; '~' is not expanded here: write"
                    + " the path out, or leave the ~ unquoted for the shell to expand" : "") + "; --data '" + s
                    + "' is not an existing file or folder nor a known dataset (" + knownNames() + "), and a path is"
                    + " never looked up on the Hub");
        }
        if (byName.isPresent() && byName.get().source().type().equals(DatasetDescriptor.SOURCE_EMBEDDED)) {
            DatasetDescriptor.Source src = byName.get().source();
            return new Resolved(byName, Optional.of(EmbeddedFiles.copyPath(options.resolvedCacheDir(),
                    src.path().orElseThrow(), src.sha256().orElseThrow())), Optional.empty(), Optional.empty());
        }
        if (byName.isPresent() && byName.get().source().type().equals("local")) {
            return new Resolved(byName, Optional.of(Path.of(byName.get().source().path().orElseThrow())),
                    Optional.empty(), Optional.empty());
        }
        String repo = s;
        Optional<String> rev = options.revision();
        if (repo.startsWith("hf://datasets/")) {
            repo = repo.substring("hf://datasets/".length());
        } else if (repo.startsWith("hf://")) {
            repo = repo.substring("hf://".length());
        }
        int at = repo.indexOf('@');
        if (at > 0) {
            rev = rev.or(() -> Optional.of(spec.strip().substring(spec.strip().indexOf('@') + 1)));
            repo = repo.substring(0, at);
        }
        Optional<DatasetDescriptor> d = byName.isPresent() ? byName : DatasetDescriptor.find(repo);
        if (d.isPresent() && d.get().source().repo().isPresent()) {
            repo = d.get().source().repo().get();
        }
        if (!repo.matches("[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new IllegalArgumentException("--data '" + spec + "' is not an existing file or folder (looked at "
                    + p.toAbsolutePath() + "), not a known dataset (" + knownNames() + "), and not an HF dataset repo"
                    + " id like org/name");
        }
        return new Resolved(d, Optional.empty(), Optional.of(repo), rev);
    }

    /**
     * Whether a spec can only mean a path: it ends with a data-file extension or starts like a path
     * ({@code ./}, {@code ../}, {@code /}, {@code ~}). Such a spec is never taken for a Hub repo id.
     */
    private static boolean namesAPath(String spec) {
        if (spec.startsWith("hf://")) {
            return false;
        }
        return FileType.ofName(spec).isPresent() || spec.startsWith("./") || spec.startsWith("../")
                || spec.startsWith("/") || spec.startsWith("~");
    }

    private static String knownNames() {
        return String.join(", ", DatasetDescriptor.known().stream().filter(d -> !d.source().type().equals("any"))
                .map(DatasetDescriptor::name).toList());
    }

    /** Loads the dataset {@code spec} names. */
    public RoutingDataset load(String spec) throws IOException {
        Resolved r = resolve(spec);
        if (r.descriptor().isPresent() && r.repo().isEmpty()
                && r.descriptor().get().source().type().equals(DatasetDescriptor.SOURCE_EMBEDDED)
                && !Files.exists(Path.of(spec.strip()))) {
            return loadEmbedded(r.descriptor().get());
        }
        if (r.local().isPresent()) {
            Path p = r.local().get();
            if (!Files.exists(p)) {
                throw new DatasetFormatException(p.toString(), -1, null, "dataset '" + spec + "' is described as a"
                        + " local file at " + p + " (relative to the working directory " + Path.of("")
                        .toAbsolutePath() + "), which is not there; run from the project root or pass the file path");
            }
            return loadLocal(p);
        }
        String repo = r.repo().orElseThrow();
        DatasetDescriptor d = r.descriptor().orElse(null);
        String revision = r.revision().orElseGet(() -> d == null ? "main" : d.source().revision().orElse("main"));
        if (d != null && d.format().equals(DatasetDescriptor.FORMAT_SPROUT_WIDE)) {
            return loadWide(repo, revision, d);
        }
        return loadHfLong(repo, revision);
    }

    /** A dataset shipped inside this jar, read from its checked copy in carrot's cache. */
    private RoutingDataset loadEmbedded(DatasetDescriptor d) throws IOException {
        String path = d.source().path().orElseThrow();
        Path file = EmbeddedFiles.materialize(path, d.source().sha256().orElseThrow(), options.resolvedCacheDir(),
                d.origin());
        String name = Path.of(path).getFileName().toString();
        return new LongFormatReader(options.splitPolicy()).read(List.of(file), EMBEDDED_PREFIX + "datasets/" + path,
                Optional.empty(), Optional.empty(), List.of(name));
    }

    private RoutingDataset loadLocal(Path p) throws IOException {
        LongFormatReader reader = new LongFormatReader(options.splitPolicy());
        if (!Files.isDirectory(p)) {
            return reader.read(p);
        }
        List<Path> files;
        try (Stream<Path> s = Files.walk(p)) {
            files = s.filter(Files::isRegularFile).filter(FileType::isDataFile).sorted().toList();
        }
        if (files.isEmpty()) {
            throw new DatasetFormatException(p.toString(), -1, null, "the folder has no data files: expected "
                    + FileType.describe());
        }
        checkOneFormat(p, files);
        return reader.read(files, p.toString(), Optional.empty(), Optional.empty(), null);
    }

    private static final int FILES_NAMED_PER_TYPE = 5;

    /**
     * A folder is read whole, so its data files must be of one type: files of several types may be the same data
     * in two formats or different data, and carrot cannot tell which, so it refuses rather than drop any.
     */
    private static void checkOneFormat(Path dir, List<Path> files) throws DatasetFormatException {
        Map<FileType, List<Path>> byType = new EnumMap<>(FileType.class);
        for (Path f : files) {
            byType.computeIfAbsent(FileType.ofName(f.getFileName().toString()).orElseThrow(),
                    t -> new ArrayList<>()).add(dir.relativize(f));
        }
        if (byType.size() < 2) {
            return;
        }
        List<String> groups = new ArrayList<>();
        byType.forEach((type, some) -> {
            List<String> names = some.stream().limit(FILES_NAMED_PER_TYPE).map(Path::toString).toList();
            groups.add(type + ": " + String.join(", ", names) + (some.size() > names.size() ? " and "
                    + (some.size() - names.size()) + " more" : ""));
        });
        throw new DatasetFormatException(dir.toString(), -1, null, "the folder mixes data-file types ("
                + String.join("; ", groups) + "), and carrot reads a folder whole, in one format: point --data at"
                + " one file, or keep one format in the folder");
    }

    private RoutingDataset loadWide(String repo, String revision, DatasetDescriptor d) throws IOException {
        List<String> patterns = new ArrayList<>();
        d.files().values().forEach(patterns::addAll);
        HfSnapshot snap = new HfHub(options.hf()).download(HfRepo.dataset(repo), revision, patterns,
                options.listener());
        List<WideFormatReader.Input> inputs = new ArrayList<>();
        for (HfFile f : snap.files()) {
            String split = splitOf(f.path(), d.files());
            inputs.add(new WideFormatReader.Input(f.localPath(), f.path(), split, f.sha256().orElse(null)));
        }
        return new WideFormatReader(d, options.splitPolicy()).read(inputs, "hf://datasets/" + repo,
                Optional.of(revision), Optional.of(snap.commit()));
    }

    private static String splitOf(String path, Map<String, List<String>> files) {
        for (Map.Entry<String, List<String>> e : files.entrySet()) {
            for (String glob : e.getValue()) {
                PathMatcher pm = FileSystems.getDefault().getPathMatcher("glob:" + glob);
                if (pm.matches(Path.of(path))) {
                    return e.getKey();
                }
            }
        }
        throw new IllegalStateException("downloaded file " + path + " matches no split pattern of " + files);
    }

    private RoutingDataset loadHfLong(String repo, String revision) throws IOException {
        HfHub hub = new HfHub(options.hf());
        HfSnapshot snap = null;
        HfHubException last = null;
        for (FileType type : FileType.values()) {
            List<String> patterns = type.hubGlobs();
            try {
                snap = hub.download(HfRepo.dataset(repo), revision, patterns, options.listener());
                break;
            } catch (HfHubException e) {
                if (e.kind() != HfHubException.Kind.NO_MATCHING_FILES) {
                    throw e;
                }
                last = e;
            }
        }
        if (snap == null) {
            throw new DatasetFormatException("hf://datasets/" + repo, -1, null, "the repo has no data files ("
                    + FileType.describe() + ") at revision " + revision + " (" + last.getMessage()
                    + ")");
        }
        List<Path> files = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (HfFile f : snap.files()) {
            files.add(f.localPath());
            names.add(f.path());
        }
        return new LongFormatReader(options.splitPolicy()).read(files, "hf://datasets/" + repo,
                Optional.of(revision), Optional.of(snap.commit()), names);
    }

    /** The split an HF data file's path names, if any (re-exported for tools). */
    public static Optional<String> splitOfPath(String path) {
        return Optional.ofNullable(SplitNames.fromFileName(path));
    }
}
