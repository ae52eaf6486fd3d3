package dev.carrot.route.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.carrot.route.model.CarrotVersion;
import dev.carrot.route.model.RouterModel;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * Reads and writes router artifacts: a directory with a JSON manifest and little-endian binary arrays.
 *
 * <pre>
 * router/
 *   manifest.json          format magic and version, models, prices, encoder, predictors, calibration, provenance,
 *                          and an index of the arrays (file, dtype, shape, byte length, CRC32C)
 *   arrays/NAME.f32        raw little-endian float32, row-major
 *   arrays/NAME.f64        raw little-endian float64
 * </pre>
 * The format is documented in {@code carrot-route/ARTIFACT.md}. Loading rejects a newer format version, a missing,
 * truncated or corrupt array, and a manifest that does not parse or does not describe a consistent router, each with
 * an {@link ArtifactFormatException} naming the file and what was expected. Writing goes to a temporary directory
 * beside the target, which then replaces the target, so a reader never sees a half-written artifact.
 */
public final class RouterArtifact {
    /** The manifest's {@code format} value. */
    public static final String FORMAT = "carrot-router";
    /**
     * The newest format version this code reads. Version 2 added the encoder's pooling and normalisation and the
     * manifest's own checksum; version 3 three optional fields: the split-conformal cost bounds ({@code cost_bounds},
     * null without them), the fixed-model policy ({@code policy}), the encoder's text prefix and its truncation side
     * ({@code tail}; absent for the head). An artifact is written with the oldest version that holds everything it
     * has ({@link #versionFor}): 3 with cost bounds, a policy, a prefix or tail truncation, else 2, so that a
     * carrot-route that predates them refuses such a router rather than route without them. Versions 1 and 2 still
     * load, without any of them.
     */
    public static final int FORMAT_VERSION = 3;

    /** The format version an artifact of {@code model} is written with. */
    public static int versionFor(RouterModel model) {
        boolean prefix = !model.textOnly() && (!model.encoder().textPrefix().isEmpty()
                || model.encoder().truncation() != dev.carrot.route.encoder.Truncation.HEAD);
        return model.policy().isPresent() || model.costBounds().isPresent() || prefix ? 3 : 2;
    }
    /**
     * The manifest's last field: SHA-256 of the manifest file's bytes with this field's value replaced by 64 zeros,
     * so that no change to the manifest (one digit of {@code k}) goes unnoticed.
     */
    public static final String CHECKSUM_FIELD = "manifest_sha256";
    static final String CHECKSUM_PLACEHOLDER = "0".repeat(64);
    public static final String MANIFEST = "manifest.json";

    /** Indented with "\n" line ends on every platform, so the same model gives the same bytes everywhere. */
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .setDefaultPrettyPrinter(new com.fasterxml.jackson.core.util.DefaultPrettyPrinter()
                    .withObjectIndenter(new com.fasterxml.jackson.core.util.DefaultIndenter("  ", "\n")));
    static final int CHUNK = 1 << 20;

    private RouterArtifact() {
    }

    // ------------------------------------------------------------------------------------------------ write

    /**
     * Writes {@code model} to the directory {@code dir}, replacing an existing artifact there. Refuses to replace a
     * non-empty directory that is not a router artifact.
     */
    public static void write(RouterModel model, Path dir) throws IOException {
        Path target = dir.toAbsolutePath().normalize();
        if (Files.exists(target)) {
            if (!Files.isDirectory(target)) {
                throw new FileAlreadyExistsException(target.toString(), null, "exists and is not a directory");
            }
            if (!Files.isRegularFile(target.resolve(MANIFEST)) && !isEmpty(target)) {
                throw new FileAlreadyExistsException(target.toString(), null, "is a non-empty directory without a "
                        + MANIFEST + "; refusing to replace something that is not a carrot router");
            }
        }
        Path parent = target.getParent();
        Files.createDirectories(parent);
        Path tmp = parent.resolve("." + target.getFileName() + ".tmp-" + UUID.randomUUID());
        try {
            Files.createDirectories(tmp.resolve("arrays"));
            ArtifactWriter w = new ArtifactWriter(tmp);
            ObjectNode manifest = w.manifest(model);
            byte[] json = JSON.writer(JSON.getSerializationConfig().getDefaultPrettyPrinter())
                    .writeValueAsBytes(manifest);
            byte[] bytes = java.util.Arrays.copyOf(json, json.length + 1);
            bytes[json.length] = '\n';
            try (OutputStream out = Files.newOutputStream(tmp.resolve(MANIFEST), StandardOpenOption.CREATE_NEW)) {
                out.write(withChecksum(bytes));
            }
            replace(tmp, target);
        } finally {
            deleteRecursively(tmp);
        }
    }

    /**
     * Moves a written artifact to {@code dir}, replacing an existing artifact there the way {@link #write} does (and
     * refusing, like it, to replace a non-empty directory that is not an artifact). For writers that check an
     * artifact before putting it in place.
     */
    public static void install(Path artifact, Path dir) throws IOException {
        if (!Files.isRegularFile(artifact.resolve(MANIFEST))) {
            throw new ArtifactFormatException(artifact, "not a carrot router artifact: no " + MANIFEST);
        }
        Path target = dir.toAbsolutePath().normalize();
        if (Files.exists(target) && !Files.isRegularFile(target.resolve(MANIFEST)) && !isEmpty(target)) {
            throw new FileAlreadyExistsException(target.toString(), null, "is a non-empty directory without a "
                    + MANIFEST + "; refusing to replace something that is not a carrot router");
        }
        Files.createDirectories(target.getParent());
        replace(artifact.toAbsolutePath().normalize(), target);
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            return !s.iterator().hasNext();
        }
    }

    private static void replace(Path tmp, Path target) throws IOException {
        Path old = null;
        if (Files.exists(target)) {
            old = target.resolveSibling("." + target.getFileName() + ".old-" + UUID.randomUUID());
            move(target, old);
        }
        try {
            move(tmp, target);
        } catch (IOException e) {
            if (old != null) {
                move(old, target);
            }
            throw e;
        }
        if (old != null) {
            deleteRecursively(old);
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    private static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ read

    /** Reads and validates the artifact in {@code dir}. */
    public static RouterModel read(Path dir) throws IOException {
        Path manifestFile = dir.resolve(MANIFEST);
        if (!Files.isDirectory(dir)) {
            throw new ArtifactFormatException(dir, "no router artifact here: not a directory");
        }
        if (!Files.isRegularFile(manifestFile)) {
            throw new ArtifactFormatException(dir, "not a carrot router artifact: no " + MANIFEST);
        }
        JsonNode m;
        try {
            m = JSON.readTree(Files.readAllBytes(manifestFile));
        } catch (JsonProcessingException e) {
            throw new ArtifactFormatException(manifestFile, "the manifest is not valid JSON (truncated or corrupt): "
                    + e.getOriginalMessage(), e);
        }
        if (m == null || !m.isObject() || !FORMAT.equals(m.path("format").asText())) {
            throw new ArtifactFormatException(manifestFile, "not a carrot router manifest: expected \"format\": \""
                    + FORMAT + "\", got " + (m == null ? "nothing" : m.path("format")));
        }
        int version = m.path("format_version").asInt(-1);
        if (version > FORMAT_VERSION) {
            throw new ArtifactFormatException(manifestFile, "router artifact format version " + version
                    + " is newer than this carrot-route " + CarrotVersion.VERSION + " reads (up to " + FORMAT_VERSION
                    + "); upgrade carrot-route to load it (it was written by carrot "
                    + m.path("carrot_version").asText("?") + ")");
        }
        if (version < 1) {
            throw new ArtifactFormatException(manifestFile, "invalid format_version " + m.path("format_version")
                    + ", expected an integer from 1 to " + FORMAT_VERSION);
        }
        if (version >= 2) {
            verifyChecksum(manifestFile, Files.readAllBytes(manifestFile), m);
        }
        if (version < 3 && m.path("encoder").has("text_prefix")) {
            throw new ArtifactFormatException(manifestFile, "format version " + version + " has no encoder text"
                    + " prefix, but the manifest has 'encoder.text_prefix': it was not written by carrot; re-export the"
                    + " router");
        }
        if (version < 3 && m.path("encoder").has("truncation")) {
            throw new ArtifactFormatException(manifestFile, "format version " + version + " has no encoder"
                    + " truncation side, but the manifest has 'encoder.truncation': it was not written by carrot;"
                    + " re-export the router");
        }
        if (version < 3 && m.has("policy")) {
            throw new ArtifactFormatException(manifestFile, "format version " + version + " has no fixed-model policy,"
                    + " but the manifest has a 'policy' field: it was not written by carrot; re-export the router");
        }
        if (version < 3 && m.path("cost_bounds").isObject()) {
            throw new ArtifactFormatException(manifestFile, "format version " + version + " has no cost bounds,"
                    + " but the manifest has 'cost_bounds': it was not written by carrot; re-export the router");
        }
        ArtifactReader r = new ArtifactReader(dir, manifestFile, m.path("arrays"));
        try {
            return r.model(m);
        } catch (IllegalArgumentException | IllegalStateException | NullPointerException e) {
            throw new ArtifactFormatException(manifestFile, "the manifest does not describe a valid router: "
                    + e.getMessage(), e);
        }
    }


    /** The manifest's bytes with the placeholder of its checksum field replaced by the checksum. */
    private static byte[] withChecksum(byte[] bytes) {
        int at = lastIndexOf(bytes, CHECKSUM_PLACEHOLDER.getBytes(StandardCharsets.US_ASCII));
        if (at < 0) {
            throw new IllegalStateException("the manifest has no " + CHECKSUM_FIELD + " placeholder");
        }
        byte[] hex = sha256Hex(bytes).getBytes(StandardCharsets.US_ASCII);
        byte[] out = bytes.clone();
        System.arraycopy(hex, 0, out, at, hex.length);
        return out;
    }

    /** Checks a version-2 manifest against its recorded checksum. */
    private static void verifyChecksum(Path manifestFile, byte[] bytes, JsonNode m) throws ArtifactFormatException {
        JsonNode recorded = m.get(CHECKSUM_FIELD);
        if (recorded == null || !recorded.isTextual() || !recorded.asText().matches("[0-9a-f]{64}")) {
            throw new ArtifactFormatException(manifestFile, "the manifest has no valid " + CHECKSUM_FIELD
                    + " (64 lower-case hex digits), which format version " + m.path("format_version").asInt()
                    + " requires: it was not written by carrot, or was edited; re-export the router");
        }
        byte[] hex = recorded.asText().getBytes(StandardCharsets.US_ASCII);
        int at = lastIndexOf(bytes, hex);
        byte[] zeroed = bytes.clone();
        System.arraycopy(CHECKSUM_PLACEHOLDER.getBytes(StandardCharsets.US_ASCII), 0, zeroed, at, hex.length);
        String actual = sha256Hex(zeroed);
        if (!actual.equals(recorded.asText())) {
            throw new ArtifactFormatException(manifestFile, "the manifest was changed after carrot wrote it: its"
                    + " SHA-256 is " + actual + " but it records " + recorded.asText() + "; re-export the router, or"
                    + " restore the manifest it was written with");
        }
    }

    private static int lastIndexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = haystack.length - needle.length; i >= 0; i--) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static String sha256Hex(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256; every Java SE implementation must provide it", e);
        }
    }
}
