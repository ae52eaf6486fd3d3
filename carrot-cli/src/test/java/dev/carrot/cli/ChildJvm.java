package dev.carrot.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The carrot command line in a JVM of its own (for signals, exit codes and crashes), with this test's class path. */
final class ChildJvm {
    private ChildJvm() {
    }

    static String classPath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp != null ? cp : System.getProperty("java.class.path");
    }

    /**
     * Starts {@code carrot ARGS} in {@code workDir} with carrot's cache in {@code cacheDir}; stdout and stderr go to
     * {@code workDir/out.txt} and {@code workDir/err.txt}.
     */
    static Process start(Path workDir, Path cacheDir, List<String> jvmArgs, String... args) throws IOException {
        return start(workDir, cacheDir, jvmArgs, java.util.Map.of(), null, args);
    }

    /**
     * As {@link #start(Path, Path, List, String...)}, with {@code env} added to the child's environment and
     * {@code classPathFirst} (if not null) ahead of this test's class path.
     */
    static Process start(Path workDir, Path cacheDir, List<String> jvmArgs, java.util.Map<String, String> env,
                         Path classPathFirst, String... args) throws IOException {
        Files.createDirectories(workDir);
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--add-modules");
        cmd.add("jdk.incubator.vector");
        cmd.add("-Djava.awt.headless=true");
        cmd.add("-Dcarrot.cache.dir=" + cacheDir);
        cmd.add("-Dcarrot.plainProgress=true");
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(classPathFirst == null ? classPath()
                : classPathFirst + java.io.File.pathSeparator + classPath());
        cmd.add("dev.carrot.cli.CarrotCli");
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile())
                .redirectOutput(workDir.resolve("out.txt").toFile())
                .redirectError(workDir.resolve("err.txt").toFile());
        pb.environment().remove("CARROT_CACHE_DIR");
        pb.environment().putAll(env);
        return pb.start();
    }

    /** Sends a signal ({@code INT}, {@code TERM}, {@code KILL}) to a process. */
    static void signal(Process p, String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IOException("kill -" + signal + " " + p.pid() + " failed");
        }
    }

    /** Waits until a file contains {@code text} (or the process ended, or the time is up). */
    static boolean awaitText(Process p, Path file, String text, long seconds) throws IOException,
            InterruptedException {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            if (Files.exists(file) && Files.readString(file).contains(text)) {
                return true;
            }
            if (!p.isAlive()) {
                return false;
            }
            Thread.sleep(50);
        }
        return false;
    }
}
