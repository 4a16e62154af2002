package io.switchboard.connect;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

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
        long none = heapAfter(0);
        long capped = heapAfter(RouteRate.MAX_THROTTLE);
        long million = heapAfter(1_000_000);
        System.out.printf("heap after 20,000 messages: no throttle %.1f MB, throttle at %d/s %.1f MB, at 1,000,000/s %.1f MB%n",
                none / 1_048_576.0, RouteRate.MAX_THROTTLE, capped / 1_048_576.0, million / 1_048_576.0);

        assertThat(capped - none).isLessThan(8L * 1024 * 1024);
        assertThat(million - none).isGreaterThan(capped - none + 8L * 1024 * 1024);
    }

    /** Heap still in use with a route throttled at {@code rate} (0: none), measured in a JVM of its own. */
    private static long heapAfter(long rate) throws Exception {
        Process probe = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-Xmx512m", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"),
                ThrottleHeapProbe.class.getName(), Long.toString(rate))
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        String out = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(probe.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(probe.exitValue()).as("probe output: %s", out).isZero();
        String[] lines = out.split("\\R");
        return Long.parseLong(lines[lines.length - 1]);
    }

    private static ConnectionsProperties.Connection connection(double rateLimit) {
        return new ConnectionsProperties.Connection("http://localhost/api", null, null, null, rateLimit, 0, null);
    }
}
