package dev.carrot.serve;

import dev.carrot.testkit.TestRouter;

import java.nio.file.Path;
import java.util.List;

/** The benchmark's handle on the test router ({@link TestRouter} of carrot-testkit). */
public final class TestRouterAccess implements AutoCloseable {
    private final TestRouter router;

    private TestRouterAccess(TestRouter router) {
        this.router = router;
    }

    public static TestRouterAccess create(Path dir) {
        return new TestRouterAccess(TestRouter.create(dir));
    }

    public Path dir() {
        return router.dir();
    }

    public List<String> models() {
        return TestRouter.MODELS;
    }

    /** Nanoseconds to encode a text once, in this JVM, with the gateway's encoder settings. */
    public long encodeNanos(String text) {
        return router.encodeNanos(text);
    }

    @Override
    public void close() {
        router.close();
    }
}
