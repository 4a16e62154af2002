import java.io.EOFException;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Load generator for Switchboard's webhook ingress: sends Standard Webhooks-signed lead
 * payloads (unique webhook-id and submissionId per request) from N concurrent workers,
 * each a keep-alive HTTP/1.1 connection, all driven by one thread through a selector (so
 * that the load generator stays cheap next to the server it measures).
 *
 * <pre>
 * java bench/WebhookLoad.java --url http://localhost:8080/webhooks/lead-intake \
 *      --secret whsec_... --connections 16 --duration 20s
 * java bench/WebhookLoad.java --url ... --secret ... --connections 4 --requests 1000
 * </pre>
 *
 * Lookup mode (GET {url}/{email} with X-Api-Key, 200 counts as success), for customer-lookup:
 * --lookup-emails a@x,b@y --api-key KEY.
 *
 * Options: --url (loopback only), --secret (or env WEBHOOK_SECRET), --connections (16),
 * --duration (20s, or a 300s cap when --requests is given), --requests (0 = no count
 * bound), --warmup (3s, not measured; 0 to skip), --timeout (10s per request).
 * Durations: 500ms, 20s, 2m; a bare number is seconds.
 *
 * Prints a readable report and a last line starting with RESULT (key=value pairs) for
 * scripts. Exit status 0 when at least one event was accepted, 3 when none was, 2 on a
 * usage error. Standard library only (Java 17).
 */
public class WebhookLoad {

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("WebhookLoad: " + e.getMessage());
            System.err.println("usage: java bench/WebhookLoad.java --url http://127.0.0.1:8080/webhooks/lead-intake "
                    + "--secret whsec_... [--connections 16] [--duration 20s | --requests N] [--warmup 3s] [--timeout 10s]");
            System.exit(2);
            return;
        }
        System.exit(new WebhookLoad(options).run());
    }

    // ---------------------------------------------------------------- options

    record Options(URI url, byte[] key, int connections, Duration duration, long requests, Duration warmup,
            Duration timeout, List<String> lookupEmails, String apiKey) {

        boolean lookup() {
            return !lookupEmails.isEmpty();
        }

        static Options parse(String[] args) {
            Map<String, String> given = new TreeMap<>();
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                if (arg.equals("-h") || arg.equals("--help")) {
                    throw new IllegalArgumentException("help");
                }
                if (!arg.startsWith("--")) {
                    throw new IllegalArgumentException("unexpected argument '" + arg + "'");
                }
                String name = arg.substring(2);
                String value;
                int eq = name.indexOf('=');
                if (eq >= 0) {
                    value = name.substring(eq + 1);
                    name = name.substring(0, eq);
                } else if (i + 1 < args.length) {
                    value = args[++i];
                } else {
                    throw new IllegalArgumentException("--" + name + " needs a value");
                }
                if (!List.of("url", "secret", "connections", "duration", "requests", "warmup", "timeout",
                        "lookup-emails", "api-key").contains(name)) {
                    throw new IllegalArgumentException("unknown option --" + name);
                }
                given.put(name, value);
            }
            String url = given.get("url");
            if (url == null) {
                throw new IllegalArgumentException("--url is required");
            }
            URI uri = URI.create(url);
            if (!"http".equalsIgnoreCase(uri.getScheme())) {
                throw new IllegalArgumentException("--url must be http:// (loopback, no TLS)");
            }
            requireLoopback(uri);
            List<String> emails = given.containsKey("lookup-emails")
                    ? Arrays.stream(given.get("lookup-emails").split(",")).map(String::trim).filter(e -> !e.isEmpty()).toList()
                    : List.of();
            String apiKey = given.getOrDefault("api-key", System.getenv("API_KEY"));
            if (!emails.isEmpty() && (apiKey == null || apiKey.isBlank())) {
                throw new IllegalArgumentException("--lookup-emails needs --api-key (or env API_KEY)");
            }
            String secret = given.getOrDefault("secret", System.getenv("WEBHOOK_SECRET"));
            if (emails.isEmpty() && (secret == null || secret.isBlank())) {
                throw new IllegalArgumentException("--secret (whsec_<base64>) or env WEBHOOK_SECRET is required");
            }
            byte[] key;
            try {
                key = emails.isEmpty() ? Base64.getDecoder().decode(secret.startsWith("whsec_") ? secret.substring(6) : secret)
                        : new byte[] {0};
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--secret must be whsec_<base64>");
            }
            int connections = Integer.parseInt(given.getOrDefault("connections", "16"));
            if (connections < 1 || connections > 1024) {
                throw new IllegalArgumentException("--connections must be 1..1024");
            }
            long requests = Long.parseLong(given.getOrDefault("requests", "0"));
            if (requests < 0) {
                throw new IllegalArgumentException("--requests must be >= 0");
            }
            // Always bounded in time: with only --requests, a 5 minute cap still applies.
            Duration duration = duration(given.getOrDefault("duration", requests > 0 ? "300s" : "20s"));
            if (duration.isZero() || duration.compareTo(Duration.ofHours(1)) > 0) {
                throw new IllegalArgumentException("--duration must be more than 0 and at most 1h");
            }
            Duration warmup = duration(given.getOrDefault("warmup", "3s"));
            Duration timeout = duration(given.getOrDefault("timeout", "10s"));
            if (timeout.isZero() || warmup.compareTo(Duration.ofMinutes(5)) > 0) {
                throw new IllegalArgumentException("--timeout must be more than 0 and --warmup at most 5m");
            }
            return new Options(uri, key, connections, duration, requests, warmup, timeout, emails, apiKey);
        }

        private static Duration duration(String text) {
            Matcher m = Pattern.compile("(\\d+)(ms|s|m)?").matcher(text.trim());
            if (!m.matches()) {
                throw new IllegalArgumentException("not a duration: '" + text + "' (use 500ms, 20s, 2m)");
            }
            long n = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "s" : m.group(2);
            return switch (unit) {
                case "ms" -> Duration.ofMillis(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofSeconds(n);
            };
        }

        /** A load generator aimed at someone else's server is an attack: loopback only. */
        private static void requireLoopback(URI uri) {
            String host = uri.getHost();
            if (host == null) {
                throw new IllegalArgumentException("--url has no host");
            }
            try {
                InetAddress[] addresses = InetAddress.getAllByName(host);
                for (InetAddress address : addresses) {
                    if (!address.isLoopbackAddress()) {
                        throw new IllegalArgumentException("refusing non-loopback target " + host + " (" + address
                                .getHostAddress() + "): WebhookLoad only sends to this machine");
                    }
                }
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("cannot resolve " + host);
            }
        }
    }

    // ---------------------------------------------------------------- run

    private final Options options;
    private final String runId = randomHex();
    private final Mac mac;
    /** The status that counts as success: 202 for a stored webhook, 200 for a lookup. */
    private final int expected;
    private long startNanos;
    private long deadlineNanos;
    private long endNanos;
    private long cpuAtStart = -1;
    private long issued;

    private long warmupRequests;
    private long warmupAccepted;
    private long accepted;
    private long otherSuccess;
    private long[] latencies = new long[1 << 16];
    private int count;
    private final Map<Integer, Long> failedStatuses = new TreeMap<>();
    private final Map<String, Long> errorKinds = new TreeMap<>();
    private final Map<Integer, String> samples = new TreeMap<>();

    WebhookLoad(Options options) {
        this.options = options;
        this.expected = options.lookup() ? 200 : 202;
        try {
            this.mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(options.key(), "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * One thread drives every connection through a selector, like wrk: a request is written,
     * its response read, the next request written. With one thread per connection the
     * load generator's context switches would cost the machine more CPU than the server's
     * work, and the two share the same cores.
     */
    int run() throws IOException {
        System.out.printf(Locale.ROOT, "WebhookLoad %s: %d connections, warm-up %s, then %s%s (run %s)%n",
                options.url(), options.connections(), human(options.warmup()), human(options.duration()),
                options.requests() > 0 ? " or " + options.requests() + " requests, whichever comes first" : "",
                runId);
        URI url = options.url();
        int port = url.getPort() < 0 ? 80 : url.getPort();
        InetSocketAddress address = new InetSocketAddress(url.getHost(), port);
        String path = url.getRawPath() + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
        String host = url.getHost() + ":" + port;
        long timeout = options.timeout().toNanos();
        long warmupDeadline = System.nanoTime() + options.warmup().toNanos();
        boolean measuring = false;
        if (options.warmup().isZero()) {
            measuring = startMeasuring();
        }
        long hardStop = System.nanoTime() + options.warmup().toNanos() + options.duration().toNanos() + timeout
                + TimeUnit.SECONDS.toNanos(15);
        try (Selector selector = Selector.open()) {
            Connection[] connections = new Connection[options.connections()];
            for (int i = 0; i < connections.length; i++) {
                connections[i] = new Connection(i, address, path, host);
                connections[i].open(selector);
            }
            int open = connections.length;
            while (open > 0) {
                long now = System.nanoTime();
                if (!measuring && now >= warmupDeadline) {
                    measuring = startMeasuring();
                }
                if (now > hardStop) {
                    System.out.println("warning: requests still open at the hard stop are not counted");
                    break;
                }
                selector.select(50);
                now = System.nanoTime();
                for (SelectionKey key : selector.selectedKeys()) {
                    Connection c = (Connection) key.attachment();
                    try {
                        if (key.isValid() && key.isConnectable() && c.channel.finishConnect()) {
                            c.sendNext(key, now, measuring);
                        } else if (key.isValid() && key.isWritable()) {
                            c.flush(key);
                        } else if (key.isValid() && key.isReadable()) {
                            c.read(key, now, measuring);
                        }
                    } catch (IOException | RuntimeException e) {
                        c.failed(e, now);
                        c.open(selector);
                    }
                }
                selector.selectedKeys().clear();
                open = 0;
                for (Connection c : connections) {
                    if ((c.inFlight || c.connecting) && now - c.sentAt > timeout) {
                        c.failed(new SocketTimeoutException(), now);
                        c.open(selector);
                    }
                    if (c.inFlight || c.connecting || (!c.done && !stopSending(now))) {
                        open++;
                    }
                    if (!c.inFlight && !c.connecting && !c.done && stopSending(now)) {
                        c.done = true;
                        c.close();
                    }
                }
            }
            for (Connection c : connections) {
                c.close();
            }
        }
        if (endNanos == 0) {
            endNanos = System.nanoTime();
        }
        return report();
    }

    private boolean startMeasuring() {
        startNanos = System.nanoTime();
        deadlineNanos = startNanos + options.duration().toNanos();
        cpuAtStart = processCpuNanos();
        System.out.println("measuring     (warm-up done)");
        return true;
    }

    private boolean stopSending(long now) {
        return (deadlineNanos != 0 && now >= deadlineNanos) || (options.requests() > 0 && issued >= options.requests());
    }

    /** One keep-alive connection: its socket, the request being written and the response being read. */
    private final class Connection {

        final int index;
        final InetSocketAddress address;
        final String path;
        final String host;
        SocketChannel channel;
        ByteBuffer out = ByteBuffer.allocate(0);
        ByteBuffer in = ByteBuffer.allocate(16 * 1024);
        long sequence;
        long sentAt;
        boolean measured;
        boolean inFlight;
        boolean connecting;
        boolean done;

        Connection(int index, InetSocketAddress address, String path, String host) {
            this.index = index;
            this.address = address;
            this.path = path;
            this.host = host;
        }

        void open(Selector selector) throws IOException {
            close();
            if (done) {
                return;
            }
            channel = SocketChannel.open();
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            in.clear();
            connecting = true;
            sentAt = System.nanoTime(); // a connect that hangs counts against the timeout too
            if (channel.connect(address)) {
                connecting = false;
                sendNext(channel.register(selector, SelectionKey.OP_WRITE, this), System.nanoTime(),
                        startNanos != 0);
            } else {
                channel.register(selector, SelectionKey.OP_CONNECT, this);
            }
        }

        void sendNext(SelectionKey key, long now, boolean measuring) throws IOException {
            connecting = false;
            if (stopSending(now)) {
                done = true;
                close();
                return;
            }
            if (measuring) {
                issued++;
            }
            long n = ++sequence;
            byte[] head;
            byte[] bytes;
            if (options.lookup()) {
                List<String> emails = options.lookupEmails();
                String email = emails.get((int) ((index + n) % emails.size()));
                bytes = new byte[0];
                head = ("GET " + path + "/" + java.net.URLEncoder.encode(email, StandardCharsets.UTF_8) + " HTTP/1.1\r\nHost: "
                        + host + "\r\nAccept: application/json\r\nX-Api-Key: " + options.apiKey() + "\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1);
            } else {
                String id = "msg_bench_" + runId + "_" + index + "_" + n;
                bytes = body(runId, index, n);
                String timestamp = Long.toString(System.currentTimeMillis() / 1000);
                mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
                String signature = "v1," + Base64.getEncoder().encodeToString(mac.doFinal(bytes));
                head = ("POST " + path + " HTTP/1.1\r\nHost: " + host
                        + "\r\nContent-Type: application/json\r\nContent-Length: " + bytes.length
                        + "\r\nwebhook-id: " + id + "\r\nwebhook-timestamp: " + timestamp
                        + "\r\nwebhook-signature: " + signature + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
            }
            if (out.capacity() < head.length + bytes.length) {
                out = ByteBuffer.allocate(2 * (head.length + bytes.length));
            }
            out.clear();
            out.put(head).put(bytes).flip();
            measured = measuring;
            inFlight = true;
            sentAt = System.nanoTime();
            flush(key);
        }

        void flush(SelectionKey key) throws IOException {
            channel.write(out);
            key.interestOps(out.hasRemaining() ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
        }

        void read(SelectionKey key, long now, boolean measuring) throws IOException {
            if (!in.hasRemaining()) {
                in = ByteBuffer.allocate(in.capacity() * 2).put(in.flip());
            }
            if (channel.read(in) < 0) {
                throw new EOFException("connection closed by the server");
            }
            int end = complete(in);
            if (end < 0) {
                return;
            }
            String text = new String(in.array(), 0, end, StandardCharsets.ISO_8859_1);
            in.flip().position(end);
            in.compact(); // whatever follows the response stays for the next read
            inFlight = false;
            long elapsed = now - sentAt;
            int status = Integer.parseInt(text.substring(9, 12));
            if (!measured) {
                warmupRequests++;
                warmupAccepted += status == expected ? 1 : 0;
            } else {
                endNanos = Math.max(endNanos, now);
                if (count == latencies.length) {
                    latencies = Arrays.copyOf(latencies, count * 2);
                }
                latencies[count++] = elapsed;
                if (status == expected) {
                    accepted++;
                } else if (status >= 200 && status < 300) {
                    otherSuccess++;
                } else {
                    failedStatuses.merge(status, 1L, Long::sum);
                    int bodyAt = text.indexOf("\r\n\r\n");
                    samples.putIfAbsent(status, abbreviate(bodyAt < 0 ? text : text.substring(bodyAt + 4)));
                }
            }
            int headEnd = text.indexOf("\r\n\r\n");
            String head = headEnd < 0 ? text : text.substring(0, headEnd);
            if (head.startsWith("HTTP/1.0") || headerValue(head, "connection").equalsIgnoreCase("close")) {
                throw new EOFException("server closed the connection"); // reopened by the caller, not counted
            }
            sendNext(key, now, measuring);
        }

        /** The length of a complete response at the start of the buffer, or -1 if more is to come. */
        private int complete(ByteBuffer buffer) {
            byte[] a = buffer.array();
            int n = buffer.position();
            int headEnd = -1;
            for (int i = 3; i < n; i++) {
                if (a[i] == '\n' && a[i - 1] == '\r' && a[i - 2] == '\n' && a[i - 3] == '\r') {
                    headEnd = i + 1;
                    break;
                }
            }
            if (headEnd < 0) {
                return -1;
            }
            String head = new String(a, 0, headEnd, StandardCharsets.ISO_8859_1);
            String length = headerValue(head, "content-length");
            if (!length.isEmpty()) {
                int total = headEnd + Integer.parseInt(length);
                return n >= total ? total : -1;
            }
            if (headerValue(head, "transfer-encoding").toLowerCase(Locale.ROOT).contains("chunked")) {
                String rest = new String(a, headEnd, n - headEnd, StandardCharsets.ISO_8859_1);
                int last = rest.indexOf("\r\n0\r\n\r\n");
                if (rest.startsWith("0\r\n\r\n")) {
                    return headEnd + 5;
                }
                return last < 0 ? -1 : headEnd + last + 7;
            }
            return headEnd; // no body (e.g. 204)
        }

        void failed(Exception e, long now) {
            String kind = e instanceof SocketTimeoutException ? "timeout" : e.getClass().getSimpleName();
            if (inFlight && measured) {
                errorKinds.merge(kind, 1L, Long::sum);
                endNanos = Math.max(endNanos, now);
            } else if (!(e instanceof EOFException) && startNanos != 0) {
                errorKinds.merge(kind, 1L, Long::sum);
            }
            inFlight = false;
            connecting = false;
            if (e instanceof java.net.ConnectException) {
                try {
                    Thread.sleep(100); // server gone: do not spin
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        void close() {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
                channel = null;
            }
        }
    }

    /** The value of a header in a response head (status line and headers), or "" when absent. */
    private static String headerValue(String head, String name) {
        String lower = head.toLowerCase(Locale.ROOT);
        int at = lower.indexOf("\r\n" + name + ":");
        if (at < 0) {
            return "";
        }
        int start = at + name.length() + 3;
        int end = lower.indexOf("\r\n", start);
        return head.substring(start, end < 0 ? head.length() : end).trim();
    }

    /** A lead of about 1 KB, unique per request (its own submissionId and e-mail address). */
    static byte[] body(String runId, int worker, long n) {
        String submission = "bench-" + runId + "-" + worker + "-" + n;
        String body = "{\"submissionId\":\"" + submission + "\",\"email\":\"lead+" + runId + "." + worker + "." + n
                + "@bench.switchboard.dev\",\"firstName\":\"Ada\",\"lastName\":\"Lovelace\",\"company\":\"Analytical Engines Ltd\","
                + "\"phone\":\"+44 20 7946 0000\",\"message\":\"Load test lead " + n + " from worker " + worker + ". "
                + MESSAGE + "\",\"source\":\"webhook-load\"}";
        return body.getBytes(StandardCharsets.UTF_8);
    }

    private static final String MESSAGE = ("We would like a quote for two hundred seats, onboarding and support. ")
            .repeat(9);

    // ---------------------------------------------------------------- report

    private int report() {
        long responses = count;
        long errors = errorKinds.values().stream().mapToLong(Long::longValue).sum();
        long failed = failedStatuses.values().stream().mapToLong(Long::longValue).sum();
        long[] all = Arrays.copyOf(latencies, count);
        Arrays.sort(all);
        double seconds = startNanos == 0 ? 0 : Math.max(1, endNanos - startNanos) / 1e9;
        double eventsPerSecond = seconds == 0 ? 0 : accepted / seconds;
        long requests = responses + errors;
        double clientCpu = cpuAtStart < 0 || processCpuNanos() < 0 ? -1 : (processCpuNanos() - cpuAtStart) / 1e9;

        System.out.printf(Locale.ROOT, "warm-up       %d requests, %d accepted (not counted below)%n",
                warmupRequests, warmupAccepted);
        System.out.printf(Locale.ROOT, "requests      %d in %.2f s (%.1f/s)%n", requests, seconds,
                seconds == 0 ? 0 : requests / seconds);
        System.out.printf(Locale.ROOT, "accepted      %d (%d) = %.1f %s/s%n", accepted, expected, eventsPerSecond,
                options.lookup() ? "lookups" : "events");
        if (otherSuccess > 0) {
            System.out.printf(Locale.ROOT, "other 2xx     %d (200 = duplicate delivery)%n", otherSuccess);
        }
        System.out.printf(Locale.ROOT, "latency ms    p50 %.2f  p90 %.2f  p99 %.2f  max %.2f  (all HTTP responses)%n",
                pct(all, 50), pct(all, 90), pct(all, 99), all.length == 0 ? 0 : all[all.length - 1] / 1e6);
        System.out.println("non-2xx       " + (failed == 0 ? "none" : describe(failedStatuses)));
        samples.forEach((status, body) -> System.out.println("  first " + status + ": " + body));
        System.out.println("errors        " + (errors == 0 ? "none" : describe(errorKinds)));
        if (clientCpu >= 0 && seconds > 0) {
            System.out.printf(Locale.ROOT, "client CPU    %.1f s over %.1f s = %.2f cores (whole load-generator JVM)%n",
                    clientCpu, seconds, clientCpu / seconds);
        }
        System.out.printf(Locale.ROOT, "RESULT connections=%d seconds=%.2f requests=%d accepted=%d events_per_s=%.1f "
                        + "p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f non2xx=%d non2xx_by_status=%s errors=%d "
                        + "client_cpu_cores=%.2f warmup_accepted=%d run_id=%s%n",
                options.connections(), seconds, requests, accepted, eventsPerSecond, pct(all, 50), pct(all, 90),
                pct(all, 99), all.length == 0 ? 0 : all[all.length - 1] / 1e6, failed,
                failed == 0 ? "-" : describe(failedStatuses).replace(' ', '_'), errors,
                clientCpu >= 0 && seconds > 0 ? clientCpu / seconds : -1, warmupAccepted, runId);
        return accepted > 0 ? 0 : 3;
    }

    private static long processCpuNanos() {
        try {
            if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
                return os.getProcessCpuTime();
            }
        } catch (LinkageError | RuntimeException unavailable) {
            // not on this runtime
        }
        return -1;
    }

    private static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length); // nearest-rank
        return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)] / 1e6;
    }

    private static String describe(Map<?, Long> counts) {
        StringBuilder out = new StringBuilder();
        counts.forEach((k, n) -> out.append(out.length() == 0 ? "" : ", ").append(k).append(": ").append(n));
        return out.toString();
    }

    private static String human(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    private static String randomHex() {
        byte[] bytes = new byte[6];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static String abbreviate(String text) {
        String flat = text == null ? "" : text.replaceAll("\\s+", " ");
        return flat.length() > 300 ? flat.substring(0, 300) + "..." : flat;
    }
}
