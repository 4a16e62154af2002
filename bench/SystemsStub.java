import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The CRM and billing of the lookup scenario's fast variant: canned answers from memory in
 * microseconds, so the figure is Switchboard's own cost per lookup and not the simulated
 * systems' (which keep their state in PostgreSQL and cost more per call than the lookup
 * itself). It answers what customer-lookup asks:
 * <ul>
 *   <li>{@code POST /oauth/token}: a client-credentials token valid for an hour;</li>
 *   <li>{@code GET /crm/contacts?email=…}: one contact with that address;</li>
 *   <li>{@code GET /billing/customers?email=…}: one customer with that address;</li>
 *   <li>{@code GET /_count}: how many contact and customer requests it answered, and token requests.</li>
 * </ul>
 *
 * <pre>java bench/SystemsStub.java 18098</pre>
 */
public class SystemsStub {

    public static void main(String[] args) throws IOException {
        // Without TCP_NODELAY the JDK server's separate header and body writes meet delayed ACKs (40 ms each).
        System.setProperty("sun.net.httpserver.nodelay", "true");
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 18098;
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
        LongAdder contacts = new LongAdder();
        LongAdder customers = new LongAdder();
        LongAdder tokens = new LongAdder();
        server.createContext("/oauth/token", exchange -> {
            tokens.increment();
            answer(exchange, "{\"access_token\":\"bench-token\",\"token_type\":\"Bearer\",\"expires_in\":3600,"
                    + "\"scope\":\"contacts:read contacts:write tasks:read tasks:write users:read invoices:read "
                    + "invoices:write\"}");
        });
        server.createContext("/crm/contacts", exchange -> {
            contacts.increment();
            String email = email(exchange);
            answer(exchange, "[{\"id\":\"c-1\",\"email\":\"" + email + "\",\"firstName\":\"Ada\",\"lastName\":\"Lovelace\","
                    + "\"company\":\"Analytical Engines\",\"ownerId\":\"u-1\"}]");
        });
        server.createContext("/billing/customers", exchange -> {
            customers.increment();
            String email = email(exchange);
            answer(exchange, "[{\"id\":\"b-1\",\"email\":\"" + email + "\",\"name\":\"Analytical Engines\","
                    + "\"status\":\"active\",\"openInvoices\":1,\"balanceCents\":12000}]");
        });
        server.createContext("/_count", exchange -> answer(exchange, "{\"contacts\":" + contacts.sum()
                + ",\"customers\":" + customers.sum() + ",\"tokens\":" + tokens.sum() + "}"));
        server.setExecutor(Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors() * 2));
        server.start();
        System.out.println("systems stub on 127.0.0.1:" + port);
    }

    /** The address asked for, as the query carries it; only letters, digits and @.-_+ are echoed. */
    private static String email(HttpExchange exchange) {
        String query = exchange.getRequestURI().getRawQuery();
        if (query == null) {
            return "";
        }
        for (String pair : query.split("&")) {
            if (pair.startsWith("email=")) {
                return java.net.URLDecoder.decode(pair.substring(6), StandardCharsets.UTF_8)
                        .replaceAll("[^A-Za-z0-9@._+-]", "");
            }
        }
        return "";
    }

    private static void answer(HttpExchange exchange, String json) throws IOException {
        try (InputStream body = exchange.getRequestBody()) {
            body.readAllBytes();
        }
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }
}
