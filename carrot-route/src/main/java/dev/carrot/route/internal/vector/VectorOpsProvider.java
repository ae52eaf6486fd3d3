package dev.carrot.route.internal.vector;

import java.lang.System.Logger.Level;

/** Chooses the {@link VectorOps} implementation once, when first used. */
final class VectorOpsProvider {
    private static final System.Logger LOG = System.getLogger(VectorOpsProvider.class.getName());

    /** The chosen implementation; immutable. Set {@code -Dcarrot.vector=scalar} to force the fallback. */
    static final VectorOps INSTANCE = choose();

    private VectorOpsProvider() {
    }

    private static VectorOps choose() {
        if ("scalar".equalsIgnoreCase(System.getProperty("carrot.vector"))) {
            LOG.log(Level.INFO, "carrot vector kernels: scalar (forced by -Dcarrot.vector=scalar)");
            return ScalarVectorOps.INSTANCE;
        }
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            LOG.log(Level.INFO, "carrot vector kernels: scalar; add the JVM option --add-modules jdk.incubator.vector"
                    + " for the faster SIMD kernels");
            return ScalarVectorOps.INSTANCE;
        }
        try {
            VectorOps ops = new PanamaVectorOps();
            // exercise it once so a broken platform falls back here, not on the hot path
            float[] probe = {1, 2, 3};
            if (ops.dot(probe, 0, probe, 0, 3) != 14f) {
                throw new IllegalStateException("SIMD self-check failed");
            }
            LOG.log(Level.DEBUG, "carrot vector kernels: " + ops.name());
            return ops;
        } catch (LinkageError | RuntimeException e) {
            LOG.log(Level.WARNING, "carrot vector kernels: scalar; the Vector API failed to start: " + e);
            return ScalarVectorOps.INSTANCE;
        }
    }
}
