package dev.carrot.train;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The output folder of {@code carrot train}, written so that nothing is lost or half-written.
 *
 * <pre>
 * DIR/.carrot-out            the marker: carrot made this folder (a non-empty folder without it is refused)
 * DIR/generations/GEN/       one complete output: router/, routers/, summary.json, curves.csv, curves.png, eval/
 * DIR/current -> generations/GEN      the output in use, switched by one atomic rename of a symbolic link
 * DIR/router, DIR/routers, DIR/summary.json, DIR/curves.csv, DIR/curves.png, DIR/eval -> current/...
 * </pre>
 * A run writes a new generation, and only when all of it is written and checked does {@link #commit} point
 * {@code current} at it: a failed or interrupted run (even SIGKILL) leaves the previous output whole, and the next
 * run deletes what it left behind. The generation before the current one is kept until the next run, so that a
 * reader that opened it keeps a consistent view; older ones are deleted. A lock file keeps two runs from writing the
 * same folder at once.
 */
public final class TrainOutput implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TrainOutput.class);

    /** The marker file carrot writes into every output folder it makes. */
    public static final String MARKER = ".carrot-out";
    static final String LOCK = ".carrot-out.lock";
    static final String GENERATIONS = "generations";
    static final String CURRENT = "current";
    /** What a generation holds; each is also a link in the output folder. */
    public static final List<String> ENTRIES = List.of("router", "routers", "summary.json", "curves.csv",
            "curves.png", "eval");
    private static final DateTimeFormatter GEN = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private final Path dir;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private TrainOutput(Path dir, FileChannel lockChannel, FileLock lock) {
        this.dir = dir;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /**
     * Checks that {@code dir} may receive carrot's output, without changing anything: it does not exist, is empty,
     * or holds carrot's marker; or {@code force} is set.
     *
     * @throws IllegalArgumentException naming what is in the folder and the way out
     */
    public static void check(Path dir, boolean force) throws IOException {
        Path d = dir.toAbsolutePath().normalize();
        if (Files.exists(d, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(d)) {
            throw new IllegalArgumentException("--out " + dir + " exists and is not a folder");
        }
        if (!Files.isDirectory(d) || force || Files.isRegularFile(d.resolve(MARKER))) {
            return;
        }
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(d)) {
            for (Path p : s) {
                names.add(p.getFileName() + (Files.isDirectory(p) ? "/" : ""));
            }
        }
        if (names.isEmpty()) {
            return;
        }
        names.sort(null);
        String shown = String.join(", ", names.subList(0, Math.min(8, names.size())))
                + (names.size() > 8 ? ", ... (" + names.size() + " entries)" : "");
        throw new IllegalArgumentException("--out " + dir + " is not empty and was not made by carrot train (it has no "
                + MARKER + " marker): it holds " + shown + ". carrot would replace " + String.join(", ", ENTRIES)
                + " there. Choose a new or empty folder, or pass --force to let carrot write its outputs into it (your"
                + " other files stay).");
    }

    /**
     * Opens the output folder for one run: checks it ({@link #check}), creates it and its marker, takes the lock,
     * and deletes what interrupted runs left behind.
     *
     * @throws IllegalStateException if another run holds the lock
     */
    public static TrainOutput open(Path dir, boolean force) throws IOException {
        check(dir, force);
        Path d = dir.toAbsolutePath().normalize();
        Files.createDirectories(d);
        if (!Files.isRegularFile(d.resolve(MARKER))) {
            AtomicFiles.writeString(d.resolve(MARKER), "{\"format\": \"carrot-train-output\", \"version\": 1}\n");
        }
        FileChannel ch = FileChannel.open(d.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            ch.close();
            throw new IllegalStateException("another carrot train is writing " + dir + " (it holds " + d.resolve(LOCK)
                    + "); wait for it or choose another --out");
        }
        TrainOutput out = new TrainOutput(d, ch, lock);
        try {
            out.cleanUp();
        } catch (IOException | RuntimeException e) {
            out.close();
            throw e;
        }
        return out;
    }

    /** The output folder. */
    public Path dir() {
        return dir;
    }

    /** A new, empty generation folder to write this run's output into. */
    public Path newGeneration(Instant created) throws IOException {
        Path g = dir.resolve(GENERATIONS).resolve("gen-" + GEN.format(created) + "-"
                + UUID.randomUUID().toString().substring(0, 8));
        Files.createDirectories(g);
        return g;
    }

    /**
     * Makes {@code generation} the output in use, in one atomic step, then deletes generations older than the
     * previous one.
     */
    public void commit(Path generation) throws IOException {
        Objects.requireNonNull(generation, "generation");
        for (String e : ENTRIES) {
            if (!Files.exists(generation.resolve(e))) {
                throw new IllegalStateException("generation " + generation + " lacks " + e + "; not switching to it");
            }
        }
        Path previous = currentGeneration();
        Path link = dir.resolve(CURRENT);
        Path tmp = dir.resolve("." + CURRENT + "." + UUID.randomUUID());
        Files.createSymbolicLink(tmp, dir.relativize(generation));
        try {
            Files.move(tmp, link, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.deleteIfExists(tmp);
            throw new IOException("the file system of " + dir + " cannot rename atomically; carrot train needs it to"
                    + " switch its output in one step", e);
        }
        for (String e : ENTRIES) {
            Path entry = dir.resolve(e);
            Path target = Path.of(CURRENT, e);
            if (Files.isSymbolicLink(entry) && Files.readSymbolicLink(entry).equals(target)) {
                continue;
            }
            // an entry of an output written before generations (or, with --force, the user's file of that name)
            deleteRecursively(entry);
            Files.createSymbolicLink(entry, target);
        }
        deleteGenerationsExcept(generation, previous);
        LOG.info("output {} now shows {}", dir, dir.relativize(generation));
    }

    /** The generation {@code current} points at, if any. */
    Path currentGeneration() throws IOException {
        Path link = dir.resolve(CURRENT);
        if (!Files.isSymbolicLink(link)) {
            return null;
        }
        return dir.resolve(Files.readSymbolicLink(link)).normalize();
    }

    /** Deletes every generation that is neither current nor the one before it, and leftovers of older layouts. */
    private void cleanUp() throws IOException {
        Path current = currentGeneration();
        deleteGenerationsExcept(current, null);
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path p : s) {
                String n = p.getFileName().toString();
                if (n.startsWith(".staging-") || n.startsWith(".router.old-") || n.startsWith(".router.tmp-")
                        || n.startsWith("." + CURRENT + ".")) {
                    LOG.info("deleting {}, left behind by an interrupted run", p);
                    deleteRecursively(p);
                }
            }
        }
    }

    /** Deletes generations other than {@code keep} and {@code alsoKeep} (either may be null). */
    private void deleteGenerationsExcept(Path keep, Path alsoKeep) throws IOException {
        Path gens = dir.resolve(GENERATIONS);
        if (!Files.isDirectory(gens)) {
            return;
        }
        List<Path> all = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(gens)) {
            s.forEach(all::add);
        }
        for (Path g : all) {
            Path n = g.toAbsolutePath().normalize();
            if (!n.equals(keep) && !n.equals(alsoKeep)) {
                LOG.debug("deleting generation {}", n);
                deleteRecursively(n);
            }
        }
    }

    /** Deletes a file, a link (not what it points to) or a folder tree. */
    static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (Files.isSymbolicLink(p) || !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            Files.delete(p);
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                try {
                    Files.delete(q);
                } catch (NoSuchFileException e) {
                    // gone already
                }
            }
        }
    }

    /** Releases the lock. */
    @Override
    public void close() throws IOException {
        try {
            if (lock.isValid()) {
                lock.release();
            }
        } finally {
            lockChannel.close();
        }
    }
}
