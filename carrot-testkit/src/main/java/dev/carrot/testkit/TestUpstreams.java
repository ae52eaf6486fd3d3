package dev.carrot.testkit;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * One {@link FakeUpstream} per model of {@link TestRouter}, each answering under its own upstream model id
 * ({@link #IDS}). An adapter's tests point their framework's OpenAI chat models at {@link #get(String)}'s base URL
 * (without retries of their own, so every attempt the tests see is carrot's).
 */
public class TestUpstreams implements AutoCloseable {
    /** The upstream model id of each router model, as its fake upstream answers. */
    public static final Map<String, String> IDS = Map.of(TestRouter.BIG, "upstream-big-v1", TestRouter.SMALL,
            "upstream-small-v1", TestRouter.CODE, "upstream-code-v1");

    private final Map<String, FakeUpstream> fake = new LinkedHashMap<>();

    /** Starts one upstream per model of {@link TestRouter#MODELS}, in that order. */
    public TestUpstreams() {
        try {
            for (String m : TestRouter.MODELS) {
                fake.put(m, FakeUpstream.start(IDS.get(m)));
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The upstream of a router model. */
    public FakeUpstream get(String model) {
        FakeUpstream u = fake.get(model);
        if (u == null) {
            throw new IllegalArgumentException("no upstream for '" + model + "'; the models are " + fake.keySet());
        }
        return u;
    }

    /** The upstreams by router model, in {@link TestRouter#MODELS} order. */
    public Map<String, FakeUpstream> all() {
        return java.util.Collections.unmodifiableMap(fake);
    }

    /** Forgets the requests and replies of every upstream. */
    public void reset() {
        fake.values().forEach(FakeUpstream::reset);
    }

    /** Forgets the requests and replies of every upstream; then each model's upstream replies {@code reply(model)}. */
    public void reset(Function<String, Reply> reply) {
        reset();
        fake.forEach((m, u) -> u.reply(reply.apply(m)));
    }

    /** How many requests each upstream received, by model. */
    public Map<String, Integer> counts() {
        Map<String, Integer> c = new LinkedHashMap<>();
        fake.forEach((m, u) -> c.put(m, u.requests().size()));
        return c;
    }

    @Override
    public void close() {
        fake.values().forEach(FakeUpstream::close);
    }
}
