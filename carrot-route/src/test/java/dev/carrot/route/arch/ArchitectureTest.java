package dev.carrot.route.arch;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The drawn API, checked on every build over the sources of the whole project: an {@code internal} package is used
 * only by the module it belongs to, and carrot-route's packages have no cycle.
 */
class ArchitectureTest {

    /** The project root: Maven passes it; from carrot-route's folder it is the parent. */
    private static Path projectDir() {
        String dir = System.getProperty("carrot.project.dir");
        Path p = dir != null ? Path.of(dir) : Path.of("..");
        return p.toAbsolutePath().normalize();
    }

    @Test
    void noModuleUsesAnotherModulesInternalPackages() throws IOException {
        SourceTree tree = SourceTree.scan(projectDir());
        assertThat(tree.files()).as("source files found under " + projectDir()).hasSizeGreaterThan(100);
        assertThat(tree.packagesOf("carrot-route")).contains("dev.carrot.route.internal.vector",
                "dev.carrot.route.encoder.internal");
        assertThat(tree.internalViolations()).as("uses of internal packages from outside their module").isEmpty();
    }

    @Test
    void carrotRouteHasNoPackageCycle() throws IOException {
        SourceTree tree = SourceTree.scan(projectDir());
        Map<String, Set<String>> graph = tree.packageGraph("carrot-route");
        assertThat(graph).containsKeys("dev.carrot.route", "dev.carrot.route.model", "dev.carrot.route.io",
                "dev.carrot.route.encoder", "dev.carrot.route.knn");
        assertThat(SourceTree.cycles(graph)).as("package cycles in carrot-route").isEmpty();
    }

    @Test
    void theApiPackagesAreTheDrawnOnes() throws IOException {
        SourceTree tree = SourceTree.scan(projectDir());
        List<String> api = new ArrayList<>();
        for (String p : tree.packagesOf("carrot-route")) {
            if (!SourceTree.isInternal(p)) {
                api.add(p);
            }
        }
        assertThat(api).containsExactlyInAnyOrder("dev.carrot.route", "dev.carrot.route.encoder",
                "dev.carrot.route.model", "dev.carrot.route.io", "dev.carrot.route.knn");
    }

    // ------------------------------------------------------------------------------ the checks can fail

    @Test
    void aForeignImportOfAnInternalPackageIsReported(@TempDir Path tmp) throws IOException {
        write(tmp, "carrot-route/src/main/java/dev/carrot/route/internal/Thing.java",
                "package dev.carrot.route.internal;\npublic final class Thing {}\n");
        write(tmp, "carrot-route/src/main/java/dev/carrot/route/Api.java",
                "package dev.carrot.route;\nimport dev.carrot.route.internal.Thing;\npublic final class Api {}\n");
        write(tmp, "carrot-serve/src/main/java/dev/carrot/serve/Gateway.java",
                "package dev.carrot.serve;\nimport dev.carrot.route.internal.Thing;\n"
                        + "/** dev.carrot.route.internal.Other in a comment does not count */\n"
                        + "public final class Gateway { Object o = new dev.carrot.route.internal.Thing(); }\n");
        SourceTree tree = SourceTree.scan(tmp);
        assertThat(tree.internalViolations()).hasSize(1).first().asString()
                .contains("carrot-serve/src/main/java/dev/carrot/serve/Gateway.java")
                .contains("dev.carrot.route.internal").contains("carrot-route");
    }

    @Test
    void aPackageCycleIsReported(@TempDir Path tmp) throws IOException {
        write(tmp, "carrot-route/src/main/java/dev/carrot/route/Router.java",
                "package dev.carrot.route;\nimport dev.carrot.route.model.Model;\npublic final class Router {}\n");
        write(tmp, "carrot-route/src/main/java/dev/carrot/route/model/Model.java",
                "package dev.carrot.route.model;\npublic final class Model { dev.carrot.route.Router r; }\n");
        write(tmp, "carrot-route/src/main/java/dev/carrot/route/io/Io.java",
                "package dev.carrot.route.io;\nimport dev.carrot.route.model.Model;\npublic final class Io {}\n");
        Map<String, Set<String>> graph = SourceTree.scan(tmp).packageGraph("carrot-route");
        assertThat(SourceTree.cycles(graph)).containsExactly(List.of("dev.carrot.route", "dev.carrot.route.model"));
    }

    private static void write(Path root, String file, String text) throws IOException {
        Path p = root.resolve(file);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }
}
