package dev.carrot.train.linear;

import java.util.Objects;

/**
 * Limited-memory BFGS for smooth convex objectives (Nocedal and Wright, algorithm 7.4, two-loop recursion), with a
 * backtracking Armijo line search. Deterministic: the same objective and start give the same iterates, bit for bit.
 */
final class Lbfgs {
    private Lbfgs() {
    }

    /** A differentiable objective. */
    interface Objective {
        /** The value at {@code x}; writes the gradient into {@code gradient}. */
        double valueAndGradient(double[] x, double[] gradient);
    }

    /**
     * Stopping rule and memory.
     *
     * @param memory        correction pairs kept
     * @param maxIterations iterations at most
     * @param gradientTol   stop when the largest gradient component is at most this
     */
    record Options(int memory, int maxIterations, double gradientTol) {
        Options {
            if (memory < 1 || maxIterations < 1 || !(gradientTol > 0)) {
                throw new IllegalArgumentException("memory and maxIterations must be >= 1 and gradientTol > 0, got "
                        + memory + ", " + maxIterations + ", " + gradientTol);
            }
        }
    }

    /** Where the minimiser stopped: the value, the largest gradient component and the iterations used. */
    record Result(double value, double gradientMax, int iterations, boolean converged) {
    }

    /** Minimises {@code f} starting from {@code x}, which receives the minimiser. */
    static Result minimise(Objective f, double[] x, Options opt) {
        Objects.requireNonNull(f, "f");
        int n = x.length;
        int mem = opt.memory();
        double[][] s = new double[mem][n];
        double[][] y = new double[mem][n];
        double[] rho = new double[mem];
        double[] alpha = new double[mem];
        double[] g = new double[n];
        double[] gNew = new double[n];
        double[] d = new double[n];
        double[] xNew = new double[n];
        double fx = f.valueAndGradient(x, g);
        if (!Double.isFinite(fx)) {
            throw new IllegalStateException("objective is not finite at the start: " + fx);
        }
        int stored = 0;
        int head = 0; // next slot to write
        int it = 0;
        double gmax = maxAbs(g);
        while (gmax > opt.gradientTol() && it < opt.maxIterations()) {
            // two-loop recursion: d = -H g
            for (int i = 0; i < n; i++) {
                d[i] = -g[i];
            }
            for (int j = 0; j < stored; j++) {
                int k = Math.floorMod(head - 1 - j, mem);
                alpha[k] = rho[k] * dot(s[k], d);
                axpy(-alpha[k], y[k], d);
            }
            if (stored > 0) {
                int k = Math.floorMod(head - 1, mem);
                double gamma = dot(s[k], y[k]) / dot(y[k], y[k]);
                scale(d, gamma);
            } else {
                scale(d, 1.0 / Math.max(1.0, Math.sqrt(dot(g, g))));
            }
            for (int j = stored - 1; j >= 0; j--) {
                int k = Math.floorMod(head - 1 - j, mem);
                double beta = rho[k] * dot(y[k], d);
                axpy(alpha[k] - beta, s[k], d);
            }
            double slope = dot(g, d);
            if (!(slope < 0)) { // not a descent direction (round-off): restart from steepest descent
                stored = 0;
                for (int i = 0; i < n; i++) {
                    d[i] = -g[i] / Math.max(1.0, Math.sqrt(dot(g, g)));
                }
                slope = dot(g, d);
            }
            double step = 1.0;
            double fNew = Double.NaN;
            boolean accepted = false;
            for (int ls = 0; ls < 60; ls++) {
                for (int i = 0; i < n; i++) {
                    xNew[i] = x[i] + step * d[i];
                }
                fNew = f.valueAndGradient(xNew, gNew);
                if (Double.isFinite(fNew) && fNew <= fx + 1e-4 * step * slope) {
                    accepted = true;
                    break;
                }
                step *= 0.5;
            }
            it++;
            if (!accepted) {
                break; // no decrease at machine precision: as converged as it gets
            }
            double sy = 0;
            double yy = 0;
            for (int i = 0; i < n; i++) {
                double si = xNew[i] - x[i];
                double yi = gNew[i] - g[i];
                s[head][i] = si;
                y[head][i] = yi;
                sy += si * yi;
                yy += yi * yi;
            }
            if (sy > 1e-12 * yy) { // curvature condition: keep the pair
                rho[head] = 1.0 / sy;
                head = (head + 1) % mem;
                stored = Math.min(stored + 1, mem);
            }
            double change = fx - fNew;
            System.arraycopy(xNew, 0, x, 0, n);
            System.arraycopy(gNew, 0, g, 0, n);
            fx = fNew;
            gmax = maxAbs(g);
            if (change <= 1e-15 * Math.max(1.0, Math.abs(fx))) {
                break;
            }
        }
        return new Result(fx, gmax, it, gmax <= opt.gradientTol());
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static void axpy(double a, double[] x, double[] y) {
        for (int i = 0; i < x.length; i++) {
            y[i] += a * x[i];
        }
    }

    private static void scale(double[] x, double a) {
        for (int i = 0; i < x.length; i++) {
            x[i] *= a;
        }
    }

    private static double maxAbs(double[] x) {
        double m = 0;
        for (double v : x) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }
}
