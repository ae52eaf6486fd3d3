package dev.carrot.serve.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.carrot.serve.TestRouterAccess;
import dev.carrot.testkit.FakeUpstream;
import dev.carrot.testkit.Reply;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The gateway's load benchmark (not a test): a driver in this JVM, the fake upstreams in this JVM, the gateway in a
 * child JVM ({@code -Xmx1g}, started from the same class path with {@code ServeCommand}). Every load goes to
 * 127.0.0.1 and every phase is bounded in requests and time. Prints a Markdown table; see carrot-serve/README.md.
 *
 * <p>Run: see "Benchmark" in carrot-serve/README.md.
 */
public final class GatewayBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] WORDS = ("please explain how a careful engineer would design write test and deploy"
            + " a small service that routes customer questions about billing invoices refunds passwords accounts"
            + " shipping delays and product features to the right team while keeping latency low costs predictable"
            + " and every decision auditable").split(" ");

    private GatewayBench() {
    }

    public static void main(String[] args) throws Exception {
        Path work = Files.createTempDirectory("carrot-serve-bench");
        int c1 = intArg(args, "--c1-requests", 600);
        double loadSeconds = doubleArg(args, "--load-seconds", 15);
        int streams = intArg(args, "--streams", 1000);
        try (TestRouterAccess router = TestRouterAccess.create(work);
             FakeUpstream fast = FakeUpstream.start("bench-fast", false);
             FakeUpstream fast2 = FakeUpstream.start("bench-fast-2", false);
             FakeUpstream fast3 = FakeUpstream.start("bench-fast-3", false)) {
            fast.reply(Reply.ok().withContent("ok").withUsage(40, 2));
            fast2.reply(Reply.ok().withContent("ok").withUsage(40, 2));
            fast3.reply(Reply.ok().withContent("ok").withUsage(40, 2));
            List<FakeUpstream> ups = List.of(fast, fast2, fast3);
            Path cfg = work.resolve("bench.json");
            ObjectNode c = JSON.createObjectNode();
            c.put("router", router.dir().toString());
            c.put("listen", "127.0.0.1:" + freePort());
            c.put("default_mu", 0.3);
            c.put("max_concurrency", 4096);
            c.put("max_connections", 8192);
            c.put("max_stream_s", 120);
            ObjectNode u = c.putObject("upstreams");
            for (int i = 0; i < 3; i++) {
                ObjectNode e = u.putObject(router.models().get(i));
                e.put("base_url", ups.get(i).baseUrl());
                e.put("model", ups.get(i).modelId());
                e.put("timeout_s", 30);
            }
            Files.writeString(cfg, c.toString());
            String base = "http://" + c.get("listen").asText();

            Process gw = startGateway(cfg, work);
            Runtime.getRuntime().addShutdownHook(new Thread(gw::destroyForcibly)); // also when the driver is stopped
            try {
                waitReady(base, gw);
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                        .executor(Executors.newFixedThreadPool(4)).connectTimeout(Duration.ofSeconds(10)).build();
                SplittableRandom rnd = new SplittableRandom(42);
                String direct = fast.baseUrl() + "/chat/completions";
                String routed = base + "/v1/chat/completions";
                String route = base + "/v1/route";
                System.out.println("warming up ...");
                closedLoop(http, routed, rnd, 4, 400, 60);
                closedLoop(http, direct, rnd, 4, 400, 60);

                StringBuilder table = new StringBuilder();
                table.append("| measurement | target | measured |\n|---|---|---|\n");
                // 1. added latency at concurrency 1, 30-word prompts, side by side
                System.out.println("concurrency 1 ...");
                Stats d1 = closedLoop(http, direct, rnd, 1, c1, 120);
                Stats g1 = closedLoop(http, routed, rnd, 1, c1, 120);
                Stats r1 = closedLoop(http, route, rnd, 1, c1 / 2, 120);
                long[] enc = new long[c1 / 2];
                for (int i = 0; i < enc.length; i++) {
                    String b = body(rnd, "carrot");
                    enc[i] = router.encodeNanos(JSON.readTree(b).at("/messages/0/content").asText());
                }
                Stats e1 = new Stats(enc, 0, 1);
                table.append(String.format(Locale.ROOT, "| added latency, concurrency 1, 30-word prompt: p50 / p99"
                                + " | p50 <= 8 ms | %.2f / %.2f ms (gateway %.2f / %.2f ms, upstream direct %.2f /"
                                + " %.2f ms; /v1/route alone %.2f / %.2f ms; the encoder alone, same prompts, in the"
                                + " driver's JVM: %.2f / %.2f ms) |\n",
                        g1.p(50) - d1.p(50), g1.p(99) - d1.p(99), g1.p(50), g1.p(99), d1.p(50), d1.p(99), r1.p(50),
                        r1.p(99), e1.p(50), e1.p(99)));
                // 2. throughput at 16 and 64 connections, zero-latency upstream
                for (int conns : new int[]{16, 64}) {
                    System.out.println("closed loop, " + conns + " connections: upstream direct ...");
                    Stats dd = closedLoop(http, direct, rnd, conns, Integer.MAX_VALUE, Math.min(5, loadSeconds));
                    System.out.println("closed loop, " + conns + " connections: through the gateway ...");
                    Stats gg = closedLoop(http, routed, rnd, conns, Integer.MAX_VALUE, loadSeconds);
                    table.append(String.format(Locale.ROOT, "| routed requests/s, %d connections (closed loop, %.0f s)"
                                    + " | >= 250/s, p99 <= 50 ms | %.0f/s, p50 %.1f ms, p99 %.1f ms, %d errors"
                                    + " (upstream direct: %.0f/s, p99 %.2f ms) |\n", conns, loadSeconds,
                            gg.perSecond(), gg.p(50), gg.p(99), gg.errors, dd.perSecond(), dd.p(99)));
                }
                // 2b. open loop at 250/s offered, over 16 and 64 connections
                for (int conns : new int[]{16, 64}) {
                    System.out.println("open loop, 250/s, " + conns + " in flight ...");
                    Stats o = openLoop(http, routed, rnd, conns, 250, loadSeconds);
                    table.append(String.format(Locale.ROOT, "| 250 requests/s offered (open loop), up to %d in flight"
                                    + " | p99 <= 50 ms | %.0f/s done, p50 %.1f ms, p99 %.1f ms, %d errors |\n",
                            conns, o.perSecond(), o.p(50), o.p(99), o.errors));
                }
                // 3. 1,000 concurrent streams from a slow upstream: 20 chunks over 10 s
                for (FakeUpstream f : ups) {
                    f.reply(Reply.ok().withContent("x".repeat(200)).withChunks(20, Duration.ofMillis(500))
                            .withUsage(40, 20));
                }
                long[] heap = {0};
                Thread sampler = new Thread(() -> {
                    while (!Thread.currentThread().isInterrupted()) {
                        heap[0] = Math.max(heap[0], heapUsedBytes(gw.pid()));
                        try {
                            Thread.sleep(500);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                });
                sampler.start();
                System.out.println(streams + " streams ...");
                StreamStats s = streams(http, routed, rnd, streams);
                sampler.interrupt();
                sampler.join();
                table.append(String.format(Locale.ROOT, "| %d concurrent streams, 20 chunks over 10 s each | all"
                                + " complete, none dropped, heap < 1 GB | %d of %d complete (20 chunks + [DONE]), %d"
                                + " dropped or failed; all done in %.1f s; gateway heap used at most %.0f MB (-Xmx1g)"
                                + " |\n", streams, s.complete, streams, streams - s.complete, s.seconds,
                        heap[0] / 1e6));
                String machine = machine();
                System.out.println();
                System.out.println(machine);
                System.out.println();
                System.out.print(table);
                Files.writeString(Path.of("target", "serve-bench.md"), machine + "\n\n" + table);
            } finally {
                gw.destroy();
                if (!gw.waitFor(30, TimeUnit.SECONDS)) {
                    gw.destroyForcibly();
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ loads

    /** A chat body with a fresh 30-word prompt. */
    private static String body(SplittableRandom rnd, String model) {
        StringBuilder p = new StringBuilder();
        for (int i = 0; i < 30; i++) {
            p.append(i == 0 ? "" : " ").append(WORDS[rnd.nextInt(WORDS.length)]);
        }
        ObjectNode b = JSON.createObjectNode();
        b.put("model", model);
        b.putArray("messages").addObject().put("role", "user").put("content", p.toString());
        return b.toString();
    }

    static final class Stats {
        final long[] nanos;
        final int errors;
        final double seconds;

        Stats(long[] nanos, int errors, double seconds) {
            this.nanos = nanos;
            this.errors = errors;
            this.seconds = seconds;
            Arrays.sort(nanos);
        }

        double p(double q) {
            if (nanos.length == 0) {
                return Double.NaN;
            }
            int i = (int) Math.ceil(q / 100 * nanos.length) - 1;
            return nanos[Math.max(0, Math.min(nanos.length - 1, i))] / 1e6;
        }

        double perSecond() {
            return nanos.length / seconds;
        }
    }

    /** {@code conns} workers, each sending its next request when the last is answered. */
    private static Stats closedLoop(HttpClient http, String url, SplittableRandom seed, int conns, int maxRequests,
                                    double maxSeconds) throws Exception {
        long end = System.nanoTime() + (long) (maxSeconds * 1e9);
        AtomicInteger budget = new AtomicInteger(maxRequests);
        AtomicInteger errors = new AtomicInteger();
        List<long[]> per = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(conns);
        List<CompletableFuture<long[]>> fs = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int w = 0; w < conns; w++) {
            SplittableRandom rnd = seed.split();
            fs.add(CompletableFuture.supplyAsync(() -> {
                long[] lat = new long[1024];
                int n = 0;
                while (System.nanoTime() < end && budget.decrementAndGet() >= 0) {
                    HttpRequest r = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body(rnd, "carrot"))).build();
                    long s = System.nanoTime();
                    try {
                        HttpResponse<String> resp = http.send(r, HttpResponse.BodyHandlers.ofString());
                        if (resp.statusCode() != 200) {
                            errors.incrementAndGet();
                            continue;
                        }
                    } catch (IOException | InterruptedException e) {
                        errors.incrementAndGet();
                        continue;
                    }
                    if (n == lat.length) {
                        lat = Arrays.copyOf(lat, n * 2);
                    }
                    lat[n++] = System.nanoTime() - s;
                }
                return Arrays.copyOf(lat, n);
            }, pool));
        }
        for (CompletableFuture<long[]> f : fs) {
            per.add(f.get());
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        pool.shutdown();
        return new Stats(per.stream().flatMapToLong(Arrays::stream).toArray(), errors.get(), secs);
    }

    /**
     * Requests sent at a fixed rate whatever the answers do, at most {@code maxInFlight} at once; latency is counted
     * from when a request was due (so a stall is not hidden).
     */
    private static Stats openLoop(HttpClient http, String url, SplittableRandom rnd, int maxInFlight, double rate,
                                  double seconds) throws Exception {
        java.util.concurrent.Semaphore slots = new java.util.concurrent.Semaphore(maxInFlight);
        int n = (int) (rate * seconds);
        long[] lat = new long[n];
        AtomicInteger done = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        List<CompletableFuture<?>> fs = new ArrayList<>(n);
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            long due = t0 + (long) (i * 1e9 / rate);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            slots.acquire();
            int k = i;
            HttpRequest r = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body(rnd, "carrot"))).build();
            fs.add(http.sendAsync(r, HttpResponse.BodyHandlers.ofString()).whenComplete((resp, ex) -> {
                slots.release();
                if (ex != null || resp.statusCode() != 200) {
                    errors.incrementAndGet();
                    lat[k] = -1;
                } else {
                    lat[k] = System.nanoTime() - due;
                    done.incrementAndGet();
                }
            }));
        }
        try {
            CompletableFuture.allOf(fs.toArray(new CompletableFuture<?>[0])).exceptionally(x -> null).get(120,
                    TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            fs.forEach(f -> f.cancel(true)); // unanswered after 2 minutes: counted as errors below
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        int unanswered = n - done.get() - errors.get();
        return new Stats(Arrays.stream(lat).filter(v -> v > 0).toArray(), errors.get() + Math.max(0, unanswered),
                secs);
    }

    record StreamStats(int complete, double seconds) {
    }

    private static StreamStats streams(HttpClient http, String url, SplittableRandom rnd, int n) throws Exception {
        AtomicInteger complete = new AtomicInteger();
        AtomicLong bad = new AtomicLong();
        List<CompletableFuture<?>> fs = new ArrayList<>(n);
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            String b = body(rnd, "carrot");
            b = b.substring(0, b.length() - 1) + ",\"stream\":true}";
            HttpRequest r = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(90))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(b)).build();
            fs.add(http.sendAsync(r, HttpResponse.BodyHandlers.ofString()).whenComplete((resp, ex) -> {
                if (ex == null && resp.statusCode() == 200 && resp.body().endsWith("data: [DONE]\n\n")
                        && resp.body().split("\n\n").length == 1 + 20 + 1 + 1) {
                    complete.incrementAndGet();
                } else {
                    bad.incrementAndGet();
                }
            }));
        }
        try {
            CompletableFuture.allOf(fs.toArray(new CompletableFuture<?>[0])).exceptionally(x -> null).get(180,
                    TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            fs.forEach(f -> f.cancel(true)); // not complete after 3 minutes: counted as not complete
        }
        return new StreamStats(complete.get(), (System.nanoTime() - t0) / 1e9);
    }

    // ------------------------------------------------------------------------------------------------ process

    private static Process startGateway(Path cfg, Path work) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = List.of(java, "-Xmx1g", "--add-modules", "jdk.incubator.vector",
                "-Dorg.slf4j.simpleLogger.log.dev.carrot.serve.decisions=warn",
                "-Dcarrot.cache.dir=" + work.resolve("cache"),
                "-cp", System.getProperty("java.class.path"), "dev.carrot.serve.ServeCommand", "--config",
                cfg.toString(), "--no-auth");
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(work.resolve("gateway.log").toFile()).start();
    }

    private static void waitReady(String base, Process gw) throws Exception {
        HttpClient h = HttpClient.newHttpClient();
        long end = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < end) {
            if (!gw.isAlive()) {
                throw new IllegalStateException("the gateway exited with " + gw.exitValue());
            }
            try {
                if (h.send(HttpRequest.newBuilder(URI.create(base + "/readyz")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the gateway was not ready within 60 s");
    }

    /** Heap in use of a JVM, from {@code jcmd PID GC.heap_info}. */
    private static long heapUsedBytes(long pid) {
        try {
            String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
            Process p = new ProcessBuilder(jcmd, Long.toString(pid), "GC.heap_info").redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor(10, TimeUnit.SECONDS);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("used (\\d+)K").matcher(out);
            return m.find() ? Long.parseLong(m.group(1)) * 1024 : 0;
        } catch (IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    private static String machine() {
        String model = "unknown CPU";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    model = line.substring(line.indexOf(':') + 1).trim();
                    break;
                }
            }
        } catch (IOException ignored) {
            // not Linux
        }
        String load = "";
        try {
            load = "; load average (1, 5, 15 min) at the end: " + Files.readString(Path.of("/proc/loadavg")).trim()
                    .replaceAll("^(\\S+ \\S+ \\S+).*", "$1");
        } catch (IOException ignored) {
            // not Linux
        }
        return String.format(Locale.ROOT, "machine: %d cores of %s, %s %s; driver and fake upstreams in one JVM,"
                        + " the gateway in another (-Xmx1g), all on 127.0.0.1%s", Runtime.getRuntime()
                        .availableProcessors(), model, System.getProperty("java.vm.name"),
                System.getProperty("java.version"), load);
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static int intArg(String[] args, String name, int dflt) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return Integer.parseInt(args[i + 1]);
            }
        }
        return dflt;
    }

    private static double doubleArg(String[] args, String name, double dflt) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return Double.parseDouble(args[i + 1]);
            }
        }
        return dflt;
    }
}
