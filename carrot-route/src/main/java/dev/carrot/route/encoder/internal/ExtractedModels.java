package dev.carrot.route.encoder.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.ThreadLocalRandom;
import java.util.Locale;
import java.util.jar.JarEntry;
import java.util.regex.Pattern;

/**
 * Keeps uncompressed copies of models shipped deflated in jars, so later loads skip inflating them.
 *
 * <p>Layout under the models directory: {@code <sha256>.onnx} (the bytes) and {@code <entry>-<crc32>-<size>.sha256}
 * (which bytes a given jar entry inflates to). Both are written through a temporary file and an atomic rename. A copy
 * is used only if it hashes to the recorded SHA-256; anything else falls back to the jar and rewrites the copy.
 */
final class ExtractedModels {

    private static final System.Logger LOG = System.getLogger(ExtractedModels.class.getName());
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

    private ExtractedModels() {
    }

    /**
     * @param resource  the model inside a jar (or any URL)
     * @param modelsDir where to keep extracted copies; null to always read {@code resource}
     * @return the model bytes and their SHA-256
     * @throws IOException if the resource cannot be read (problems with the copy only cost speed)
     */
    static HashedBytes read(URL resource, Path modelsDir) throws IOException {
        URLConnection connection = resource.openConnection();
        connection.setUseCaches(false);
        String index = null;
        if (modelsDir != null && connection instanceof JarURLConnection) {
            JarEntry entry = ((JarURLConnection) connection).getJarEntry();
            if (entry != null && entry.getCrc() >= 0 && entry.getSize() >= 0) {
                String name = Path.of(entry.getName()).getFileName().toString();
                index = String.format(Locale.ROOT, "%s-%08x-%d.sha256", name, entry.getCrc(), entry.getSize());
                HashedBytes copy = readCopy(modelsDir, index);
                if (copy != null) {
                    return copy;
                }
            }
        }
        HashedBytes fromJar;
        try (InputStream in = connection.getInputStream()) {
            fromJar = HashedBytes.read(in, connection.getContentLengthLong(), resource.toString());
        }
        if (index != null) {
            writeCopy(modelsDir, index, fromJar);
        }
        return fromJar;
    }

    private static HashedBytes readCopy(Path modelsDir, String index) {
        try {
            String sha = Files.readString(modelsDir.resolve(index), StandardCharsets.US_ASCII).trim();
            if (!SHA256_HEX.matcher(sha).matches()) {
                return null;
            }
            Path model = modelsDir.resolve(sha + ".onnx");
            HashedBytes copy;
            try (InputStream in = Files.newInputStream(model)) {
                copy = HashedBytes.read(in, Files.size(model), model.toString());
            }
            if (!copy.sha256().equals(sha)) {
                LOG.log(Level.WARNING, "extracted model " + model + " hashes to " + copy.sha256() + ", not " + sha
                        + "; reading the jar instead and rewriting it");
                return null;
            }
            return copy;
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException | UncheckedIOException e) {
            LOG.log(Level.DEBUG, "cannot use the extracted model in " + modelsDir + "; reading the jar", e);
            return null;
        }
    }

    private static void writeCopy(Path modelsDir, String index, HashedBytes model) {
        try {
            Files.createDirectories(modelsDir);
            writeAtomically(modelsDir.resolve(model.sha256() + ".onnx"), model.bytes());
            writeAtomically(modelsDir.resolve(index), model.sha256().getBytes(StandardCharsets.US_ASCII));
        } catch (IOException | UncheckedIOException e) {
            LOG.log(Level.DEBUG, "cannot keep an uncompressed copy of the model in " + modelsDir
                    + " (loads will inflate the jar each time)", e);
        }
    }

    private static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path temp = target.resolveSibling(".tmp-" + target.getFileName() + "-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        try {
            Files.write(temp, bytes);
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
