package dev.carrot.route.encoder.internal;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.lang.System.Logger.Level;
import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The lifecycle of native work (ONNX Runtime sessions, HuggingFace tokenizers): every call runs under a shared read
 * lock and, for ONNX Runtime, with run options of its own; closing terminates the runs in flight (ONNX Runtime's
 * terminate flag), waits for every call to leave native code, and only then frees the native resources.
 *
 * <p>The JVM exits on Ctrl-C while other threads may still be inside native code, and freeing a session (or the
 * library's static state, at process exit) under a running call crashes the process. So every guard is also closed
 * by one JVM shutdown hook, which returns only when no call is in flight (or after {@value #SHUTDOWN_WAIT_SECONDS} s);
 * a call that starts afterwards fails at once with an {@link IllegalStateException} instead of entering native code.
 */
public final class SessionGuard implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SessionGuard.class.getName());
    static final int SHUTDOWN_WAIT_SECONDS = 10;

    /** Live guards, closed by the shutdown hook (weakly held: a guard nobody closed may still be collected). */
    private static final Set<SessionGuard> LIVE = Collections.synchronizedSet(Collections.newSetFromMap(
            new WeakHashMap<>()));

    static {
        Thread hook = new Thread(SessionGuard::closeAllAtShutdown, "carrot-native-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    private final String what;
    private final Runnable free;
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private final Set<OrtSession.RunOptions> running = ConcurrentHashMap.newKeySet();
    private volatile boolean closing;
    private boolean closed; // guarded by lifecycle's write lock

    /**
     * @param what names the resource in messages ("encoder 'all-MiniLM-L6-v2'")
     * @param free frees the native resources, once, when no call is in flight
     */
    public SessionGuard(String what, Runnable free) {
        this.what = what;
        this.free = free;
        LIVE.add(this);
    }

    /** A call's hold on the resource: close it (try-with-resources) when the call is done. */
    public final class Call implements AutoCloseable {
        private final Lock lock;
        private OrtSession.RunOptions options;

        private Call(Lock lock) {
            this.lock = lock;
        }

        /** Run options of this call, which {@link SessionGuard#close()} can terminate. */
        public OrtSession.RunOptions runOptions() throws OrtException {
            if (options == null) {
                options = new OrtSession.RunOptions();
                running.add(options);
                if (closing) { // closed while we registered: do not start the run
                    options.setTerminate(true);
                }
            }
            return options;
        }

        @Override
        public void close() {
            if (options != null) {
                running.remove(options);
                options.close();
            }
            lock.unlock();
        }
    }

    /** Starts a call. */
    public Call enter() {
        if (closing) {
            throw closedError();
        }
        Lock lock = lifecycle.readLock();
        lock.lock();
        if (closed || closing) {
            lock.unlock();
            throw closedError();
        }
        return new Call(lock);
    }

    private IllegalStateException closedError() {
        return new IllegalStateException(what + " is closed; load a new one");
    }

    /** Whether {@link #close()} has begun. */
    public boolean isClosing() {
        return closing;
    }

    /**
     * Terminates the ONNX Runtime runs in flight, waits until no call is in native code, then frees the resources.
     * Idempotent and safe from any thread.
     */
    @Override
    public void close() {
        closeWithin(Long.MAX_VALUE);
    }

    private void closeWithin(long seconds) {
        closing = true;
        for (OrtSession.RunOptions o : running) {
            try {
                o.setTerminate(true);
            } catch (OrtException | RuntimeException e) {
                LOG.log(Level.DEBUG, "could not terminate a run of " + what, e);
            }
        }
        Lock lock = lifecycle.writeLock();
        try {
            if (seconds == Long.MAX_VALUE) {
                lock.lock();
            } else if (!lock.tryLock(seconds, TimeUnit.SECONDS)) {
                LOG.log(Level.WARNING, what + ": a call is still in native code after " + seconds + " s; not freeing"
                        + " it at exit");
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        try {
            if (!closed) {
                closed = true;
                LIVE.remove(this);
                free.run();
            }
        } finally {
            lock.unlock();
        }
    }

    private static void closeAllAtShutdown() {
        SessionGuard[] all;
        synchronized (LIVE) {
            all = LIVE.toArray(new SessionGuard[0]);
        }
        for (SessionGuard g : all) {
            g.closeWithin(SHUTDOWN_WAIT_SECONDS);
        }
    }
}
