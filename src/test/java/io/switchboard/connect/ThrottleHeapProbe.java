package io.switchboard.connect;

import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;

/**
 * Prints the heap a route throttled at the rate given as its argument (0: none) still holds
 * after 20,000 messages. Run in a JVM of its own: in the test JVM other tests' Spring contexts
 * grow their caches during a measurement, which showed as megabytes of noise.
 */
public final class ThrottleHeapProbe {

    private ThrottleHeapProbe() {
    }

    public static void main(String[] args) throws Exception {
        long rate = Long.parseLong(args[0]);
        heapAfter(rate); // warm-up: classes loaded, caches filled
        System.out.println(heapAfter(rate));
    }

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
            ProducerTemplate template = camel.createProducerTemplate();
            for (int i = 0; i < 20_000; i++) {
                template.sendBody("direct:in", i);
            }
            settle();
            return runtime.totalMemory() - runtime.freeMemory() - before;
        }
    }

    /** Two full collections: with the serial collector System.gc() returns once its collection is done. */
    private static void settle() {
        System.gc();
        System.gc();
    }
}
