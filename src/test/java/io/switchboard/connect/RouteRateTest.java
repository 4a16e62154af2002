package io.switchboard.connect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

class RouteRateTest {

    @Test
    void aHugeConnectionRateLimitGivesTheRouteThrottleACappedRateSoItsPermitsStaySmall() throws Exception {
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:in").routeId("fast-route").to("connection:fast/things").to("connection:slow/things");
                    from("direct:other").routeId("only-fast").to("connection:fast/things");
                }
            });
            RouteRate rate = new RouteRate(new ConnectionsProperties(Map.of(
                    "fast", connection(1_000_000), "slow", connection(250))), camel);

            // The slowest connection decides; a rate beyond the cap is capped.
            assertThat(rate.apply("fast-route")).isEqualTo("250");
            assertThat(rate.apply("only-fast")).isEqualTo(Long.toString(RouteRate.MAX_THROTTLE));
        }
    }

    @Test
    void aThrottleAtTheCapCostsLittleHeapWhereAMillionPerSecondCostsTensOfMegabytes() throws Exception {
        heapAfter(0); // warm-up: classes loaded, JIT settled
        long none = leastHeapAfter(0);
        long capped = leastHeapAfter(RouteRate.MAX_THROTTLE);
        long million = leastHeapAfter(1_000_000);
        System.out.printf("heap after 20,000 messages: no throttle %.1f MB, throttle at %d/s %.1f MB, at 1,000,000/s %.1f MB%n",
                none / 1_048_576.0, RouteRate.MAX_THROTTLE, capped / 1_048_576.0, million / 1_048_576.0);

        assertThat(capped - none).isLessThan(8L * 1024 * 1024);
        assertThat(million - none).isGreaterThan(capped - none + 8L * 1024 * 1024);
    }

    /**
     * The least of three measurements: the test JVM also holds other tests' Spring contexts,
     * whose caches and logs may grow during one measurement, which only ever adds.
     */
    private static long leastHeapAfter(long rate) throws Exception {
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            least = Math.min(least, heapAfter(rate));
        }
        return least;
    }

    /** Heap in use, beyond what was before, with a route throttled at {@code rate} (0: none) after 20,000 messages. */
    private static long heapAfter(long rate) throws Exception {
        Runtime runtime = Runtime.getRuntime();
        settle();
        long before = runtime.totalMemory() - runtime.freeMemory();
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    if (rate == 0) {
                        from("direct:in").to("mock:out");
                    } else {
                        from("direct:in").throttle(rate).to("mock:out");
                    }
                }
            });
            camel.start();
            var template = camel.createProducerTemplate();
            for (int i = 0; i < 20_000; i++) {
                template.sendBody("direct:in", i);
            }
            settle();
            return runtime.totalMemory() - runtime.freeMemory() - before;
        }
    }

    /** Two full collections: System.gc() returns once its full collection is done (explicit GC is not concurrent here). */
    private static void settle() {
        System.gc();
        System.gc();
    }

    private static ConnectionsProperties.Connection connection(double rateLimit) {
        return new ConnectionsProperties.Connection("http://localhost/api", null, null, null, rateLimit, 0, null);
    }
}
