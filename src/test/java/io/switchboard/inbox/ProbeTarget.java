package io.switchboard.inbox;

import java.net.ConnectException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.camel.Header;
import org.apache.camel.Headers;
import org.springframework.stereotype.Component;

/**
 * The far end of the test-only {@code probe} integration. A test can make it fail like an
 * unreachable system, or hold an event in hand, and reads which events it processed.
 */
@Component("probeTarget")
public class ProbeTarget {

    private final List<String> processed = new CopyOnWriteArrayList<>();
    private final Set<String> failing = ConcurrentHashMap.newKeySet();
    private final AtomicInteger calls = new AtomicInteger();
    private final Map<String, Map<String, Object>> headersSeen = new ConcurrentHashMap<>();
    private volatile boolean down;
    private volatile CountDownLatch hold;
    private volatile CountDownLatch entered;

    public void handle(@Header("SwitchboardEventId") String eventId, @Headers Map<String, Object> headers)
            throws Exception {
        calls.incrementAndGet();
        headersSeen.put(eventId, Map.copyOf(headers));
        CountDownLatch holding = hold;
        if (holding != null) {
            entered.countDown();
            holding.await(30, TimeUnit.SECONDS);
        }
        if (down || failing.contains(eventId)) {
            throw new ConnectException("probe target unreachable");
        }
        processed.add(eventId);
    }

    public void reset() {
        processed.clear();
        failing.clear();
        calls.set(0);
        down = false;
        hold = null;
    }

    public void setDown(boolean down) {
        this.down = down;
    }

    /** The next event to arrive waits inside the route until {@link #release()}. */
    public CountDownLatch holdNext() {
        entered = new CountDownLatch(1);
        hold = new CountDownLatch(1);
        return entered;
    }

    public void release() {
        CountDownLatch holding = hold;
        hold = null;
        if (holding != null) {
            holding.countDown();
        }
    }

    public List<String> processed() {
        return processed;
    }

    /** The headers the route handed over with an event, as the last attempt saw them. */
    public Map<String, Object> headersOf(String eventId) {
        return headersSeen.getOrDefault(eventId, Map.of());
    }

    public int calls() {
        return calls.get();
    }
}
