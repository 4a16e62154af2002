import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpServer;

/**
 * The ceiling run: a bare JDK HTTP server on loopback that reads the request body and
 * answers 202 with a small JSON body, storing nothing and checking nothing. The load
 * generator aimed at it shows how many requests per second the generator itself can
 * drive on this machine, so a server figure well below it is the server's, not the
 * generator's.
 *
 * <p>It is also the relay scenario's downstream system: it counts the POSTs it answered, and
 * {@code GET /_count} tells how many, so the bench can check that every event made exactly one call.
 *
 * <p>A second argument makes it a slow system, as real SaaS APIs are: each answer waits that
 * many milliseconds, on a thread of its own, so any number of calls wait at once.
 *
 * <pre>java bench/HttpCeiling.java 18099 [delay-ms]</pre>
 */
public class HttpCeiling {

    public static void main(String[] args) throws IOException {
        // Without TCP_NODELAY the JDK server's separate header and body writes meet delayed ACKs (40 ms each).
        System.setProperty("sun.net.httpserver.nodelay", "true");
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 18099;
        long delayMillis = args.length > 1 ? Long.parseLong(args[1]) : 0;
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
        byte[] answer = "{\"eventId\":\"00000000-0000-7000-8000-000000000000\"}".getBytes(StandardCharsets.US_ASCII);
        java.util.concurrent.atomic.LongAdder posts = new java.util.concurrent.atomic.LongAdder();
        server.createContext("/_count", exchange -> {
            byte[] count = Long.toString(posts.sum()).getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, count.length);
            exchange.getResponseBody().write(count);
            exchange.close();
        });
        server.createContext("/", exchange -> {
            try (InputStream body = exchange.getRequestBody()) {
                body.readAllBytes();
            }
            if (delayMillis > 0) {
                try {
                    Thread.sleep(delayMillis);
                } catch (InterruptedException stopping) {
                    Thread.currentThread().interrupt();
                }
            }
            if ("POST".equals(exchange.getRequestMethod())) {
                posts.increment();
            }
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(202, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        server.setExecutor(delayMillis > 0 ? Executors.newCachedThreadPool()
                : Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors() * 2));
        server.start();
        System.out.println("ceiling server on 127.0.0.1:" + port);
    }
}
