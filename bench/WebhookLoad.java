import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
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
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Load generator for Switchboard's webhook ingress: sends Standard Webhooks-signed lead
 * payloads (unique webhook-id and submissionId per request) from N concurrent workers,
 * each with its own keep-alive HTTP/1.1 connection (a minimal client, so that the load
 * generator stays cheap next to the server it measures).
 *
 * <pre>
 * java bench/WebhookLoad.java --url http://localhost:8080/webhooks/lead-intake \
 *      --secret whsec_... --connections 16 --duration 20s
 * java bench/WebhookLoad.java --url ... --secret ... --connections 4 --requests 1000
 * </pre>
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
            Duration timeout) {

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
                if (!List.of("url", "secret", "connections", "duration", "requests", "warmup", "timeout").contains(name)) {
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
            String secret = given.getOrDefault("secret", System.getenv("WEBHOOK_SECRET"));
            if (secret == null || secret.isBlank()) {
                throw new IllegalArgumentException("--secret (whsec_<base64>) or env WEBHOOK_SECRET is required");
            }
            byte[] key;
            try {
                key = Base64.getDecoder().decode(secret.startsWith("whsec_") ? secret.substring(6) : secret);
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
            return new Options(uri, key, connections, duration, requests, warmup, timeout);
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
    private final AtomicLong issued = new AtomicLong();
    private final CyclicBarrier measureStart;
    private volatile long startNanos;
    private volatile long deadlineNanos;

    WebhookLoad(Options options) {
        this.options = options;
        this.measureStart = new CyclicBarrier(options.connections(), () -> {
            startNanos = System.nanoTime();
            deadlineNanos = startNanos + options.duration().toNanos();
            System.out.println("measuring     (warm-up done)");
        });
    }

    int run() throws InterruptedException {
        System.out.printf(Locale.ROOT, "WebhookLoad %s: %d connections, warm-up %s, then %s%s (run %s)%n",
                options.url(), options.connections(), human(options.warmup()), human(options.duration()),
                options.requests() > 0 ? " or " + options.requests() + " requests, whichever comes first" : "",
                runId);
        Worker[] workers = new Worker[options.connections()];
        Thread[] threads = new Thread[workers.length];
        long warmupDeadline = System.nanoTime() + options.warmup().toNanos();
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i, warmupDeadline);
            threads[i] = new Thread(workers[i], "load-" + i);
            threads[i].setDaemon(true);
            threads[i].start();
        }
        // Hard stop: warm-up + duration + one request timeout + slack, whatever the workers do.
        long hardStop = System.nanoTime() + options.warmup().toNanos() + options.duration().toNanos()
                + options.timeout().toNanos() + TimeUnit.SECONDS.toNanos(15);
        boolean stuck = false;
        for (Thread thread : threads) {
            long left = hardStop - System.nanoTime();
            if (left > 0) {
                TimeUnit.NANOSECONDS.timedJoin(thread, left);
            }
            stuck |= thread.isAlive();
        }
        long endNanos = 0;
        for (Worker w : workers) {
            endNanos = Math.max(endNanos, w.finishedNanos);
        }
        if (stuck) {
            endNanos = System.nanoTime();
            System.out.println("warning: some workers were still waiting at the hard stop; their requests are not counted");
        }
        return report(workers, endNanos);
    }

    private int report(Worker[] workers, long endNanos) {
        long warmupRequests = 0;
        long warmupAccepted = 0;
        long accepted = 0;
        long otherSuccess = 0;
        Map<Integer, Long> failedStatuses = new TreeMap<>();
        Map<String, Long> errorKinds = new TreeMap<>();
        Map<Integer, String> samples = new TreeMap<>();
        long[] all = new long[Arrays.stream(workers).mapToInt(w -> w.count).sum()];
        int at = 0;
        for (Worker w : workers) {
            warmupRequests += w.warmupRequests;
            warmupAccepted += w.warmupAccepted;
            accepted += w.accepted;
            otherSuccess += w.otherSuccess;
            System.arraycopy(w.latencies, 0, all, at, w.count);
            at += w.count;
            w.failedStatuses.forEach((status, n) -> failedStatuses.merge(status, n, Long::sum));
            w.errorKinds.forEach((kind, n) -> errorKinds.merge(kind, n, Long::sum));
            w.samples.forEach(samples::putIfAbsent);
        }
        long responses = all.length;
        long errors = errorKinds.values().stream().mapToLong(Long::longValue).sum();
        long failed = failedStatuses.values().stream().mapToLong(Long::longValue).sum();
        Arrays.sort(all);
        double seconds = startNanos == 0 ? 0 : Math.max(1, endNanos - startNanos) / 1e9;
        double eventsPerSecond = seconds == 0 ? 0 : accepted / seconds;
        long requests = responses + errors;
        double clientCpu = cpuSeconds();

        System.out.printf(Locale.ROOT, "warm-up       %d requests, %d accepted (not counted below)%n",
                warmupRequests, warmupAccepted);
        System.out.printf(Locale.ROOT, "requests      %d in %.2f s (%.1f/s)%n", requests, seconds,
                seconds == 0 ? 0 : requests / seconds);
        System.out.printf(Locale.ROOT, "accepted      %d (202) = %.1f events/s%n", accepted, eventsPerSecond);
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
                        + "client_cpu_cores=%.2f warmup_accepted=%d%n",
                options.connections(), seconds, requests, accepted, eventsPerSecond, pct(all, 50), pct(all, 90),
                pct(all, 99), all.length == 0 ? 0 : all[all.length - 1] / 1e6, failed,
                failed == 0 ? "-" : describe(failedStatuses).replace(' ', '_'), errors,
                clientCpu >= 0 && seconds > 0 ? clientCpu / seconds : -1, warmupAccepted);
        return accepted > 0 ? 0 : 3;
    }

    /** CPU seconds of this JVM during the measured phase (all threads), or -1 when unavailable. */
    private double cpuSeconds() {
        long start = cpuAtStart;
        long end = processCpuNanos();
        return start < 0 || end < 0 ? -1 : (end - start) / 1e9;
    }

    private volatile long cpuAtStart = -1;

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

    // ---------------------------------------------------------------- worker

    private final class Worker implements Runnable {

        private final int index;
        private final long warmupDeadline;
        private final Mac mac;
        private final RawHttp http;
        private long sequence;

        long warmupRequests;
        long warmupAccepted;
        long accepted;
        long otherSuccess;
        long[] latencies = new long[4096];
        int count;
        final Map<Integer, Long> failedStatuses = new TreeMap<>();
        final Map<String, Long> errorKinds = new TreeMap<>();
        final Map<Integer, String> samples = new TreeMap<>();
        volatile long finishedNanos;

        Worker(int index, long warmupDeadline) {
            this.index = index;
            this.warmupDeadline = warmupDeadline;
            this.http = new RawHttp(options.url(), (int) options.timeout().toMillis());
            try {
                this.mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(options.key(), "HmacSHA256"));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void run() {
            try {
                while (System.nanoTime() < warmupDeadline) {
                    send(false);
                    warmupRequests++;
                }
                measureStart.await(options.timeout().toSeconds() + 30, TimeUnit.SECONDS);
                if (index == 0) {
                    cpuAtStart = processCpuNanos();
                }
                while (System.nanoTime() < deadlineNanos) {
                    if (options.requests() > 0 && issued.incrementAndGet() > options.requests()) {
                        break;
                    }
                    send(true);
                }
            } catch (InterruptedException | BrokenBarrierException | TimeoutException e) {
                Thread.currentThread().interrupt();
            } finally {
                finishedNanos = System.nanoTime();
                http.close();
            }
        }

        private void send(boolean measured) throws InterruptedException {
            long n = ++sequence;
            String id = "msg_bench_" + runId + "_" + index + "_" + n;
            byte[] bytes = body(runId, index, n);
            String timestamp = Long.toString(System.currentTimeMillis() / 1000);
            mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
            String signature = "v1," + Base64.getEncoder().encodeToString(mac.doFinal(bytes));
            byte[] head = ("POST " + http.path + " HTTP/1.1\r\nHost: " + http.hostHeader
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + bytes.length
                    + "\r\nwebhook-id: " + id + "\r\nwebhook-timestamp: " + timestamp
                    + "\r\nwebhook-signature: " + signature + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
            long t0 = System.nanoTime();
            try {
                RawHttp.Response response = http.exchange(head, bytes);
                long elapsed = System.nanoTime() - t0;
                int status = response.status();
                if (!measured) {
                    warmupAccepted += status == 202 ? 1 : 0;
                    return;
                }
                record(elapsed);
                if (status == 202) {
                    accepted++;
                } else if (status >= 200 && status < 300) {
                    otherSuccess++;
                } else {
                    failedStatuses.merge(status, 1L, Long::sum);
                    samples.putIfAbsent(status, abbreviate(response.body()));
                }
            } catch (java.net.SocketTimeoutException e) {
                http.close();
                if (measured) {
                    errorKinds.merge("timeout", 1L, Long::sum);
                }
            } catch (IOException | RuntimeException e) {
                http.close();
                if (measured) {
                    errorKinds.merge(e.getClass().getSimpleName(), 1L, Long::sum);
                }
                if (e instanceof java.net.ConnectException) {
                    Thread.sleep(100); // server gone: do not spin
                }
            }
        }

        private void record(long nanos) {
            if (count == latencies.length) {
                latencies = Arrays.copyOf(latencies, count * 2);
            }
            latencies[count++] = nanos;
        }
    }

    /** A lead of about 1 KB (the "1 KB lead"), unique per request. */
    static byte[] body(String runId, int worker, long n) {
        String submission = "bench-" + runId + "-" + worker + "-" + n;
        StringBuilder message = new StringBuilder("Load test lead ").append(n).append(" from worker ").append(worker)
                .append(". ");
        while (message.length() < 640) {
            message.append("We would like a quote for two hundred seats, onboarding and support. ");
        }
        String body = "{\"submissionId\":\"" + submission + "\",\"email\":\"lead+" + worker + "." + n
                + "@example.com\",\"firstName\":\"Ada\",\"lastName\":\"Lovelace\",\"company\":\"Analytical Engines Ltd\","
                + "\"phone\":\"+44 20 7946 0000\",\"message\":\"" + message.substring(0, 640)
                + "\",\"source\":\"webhook-load\"}";
        return body.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * A minimal HTTP/1.1 client on one keep-alive socket: writes a request, reads the status,
     * the headers and a Content-Length or chunked body. Far cheaper per request than
     * java.net.http, so the load generator does not compete with the server for the CPU.
     */
    static final class RawHttp implements AutoCloseable {

        record Response(int status, String body) {
        }

        final String path;
        final String hostHeader;
        private final java.net.InetSocketAddress address;
        private final int timeoutMillis;
        private java.net.Socket socket;
        private java.io.OutputStream out;
        private java.io.BufferedInputStream in;

        RawHttp(URI url, int timeoutMillis) {
            if (!"http".equalsIgnoreCase(url.getScheme())) {
                throw new IllegalArgumentException("only http:// targets are supported");
            }
            int port = url.getPort() < 0 ? 80 : url.getPort();
            this.address = new java.net.InetSocketAddress(url.getHost(), port);
            this.path = url.getRawPath() + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
            this.hostHeader = url.getHost() + ":" + port;
            this.timeoutMillis = timeoutMillis;
        }

        Response exchange(byte[] head, byte[] body) throws IOException {
            if (socket == null) {
                socket = new java.net.Socket();
                socket.setTcpNoDelay(true);
                socket.connect(address, timeoutMillis);
                socket.setSoTimeout(timeoutMillis);
                out = new java.io.BufferedOutputStream(socket.getOutputStream(), 4096);
                in = new java.io.BufferedInputStream(socket.getInputStream(), 8192);
            }
            out.write(head);
            out.write(body);
            out.flush();
            String statusLine = line();
            if (statusLine == null || !statusLine.startsWith("HTTP/1.")) {
                throw new IOException("bad status line: " + statusLine);
            }
            int status = Integer.parseInt(statusLine.substring(9, 12));
            long length = -1;
            boolean chunked = false;
            boolean close = false;
            for (String header = line(); header != null && !header.isEmpty(); header = line()) {
                int colon = header.indexOf(':');
                if (colon < 0) {
                    continue;
                }
                String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = header.substring(colon + 1).trim();
                switch (name) {
                    case "content-length" -> length = Long.parseLong(value);
                    case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                    case "connection" -> close = value.equalsIgnoreCase("close");
                    default -> { }
                }
            }
            java.io.ByteArrayOutputStream content = new java.io.ByteArrayOutputStream();
            if (chunked) {
                for (long size = Long.parseLong(line().split(";")[0].trim(), 16); size > 0;
                        size = Long.parseLong(line().split(";")[0].trim(), 16)) {
                    copy(size, content);
                    line();
                }
                while (true) { // trailers, up to the empty line
                    String trailer = line();
                    if (trailer == null || trailer.isEmpty()) {
                        break;
                    }
                }
            } else if (length >= 0) {
                copy(length, content);
            }
            if (close) {
                close();
            }
            return new Response(status, content.toString(StandardCharsets.UTF_8));
        }

        private void copy(long n, java.io.OutputStream to) throws IOException {
            byte[] buffer = new byte[4096];
            while (n > 0) {
                int read = in.read(buffer, 0, (int) Math.min(buffer.length, n));
                if (read < 0) {
                    throw new java.io.EOFException("connection closed mid-body");
                }
                to.write(buffer, 0, read);
                n -= read;
            }
        }

        private String line() throws IOException {
            StringBuilder line = new StringBuilder(64);
            int c;
            while ((c = in.read()) >= 0) {
                if (c == '\n') {
                    int end = line.length();
                    return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
                }
                line.append((char) c);
            }
            if (line.length() == 0) {
                throw new java.io.EOFException("connection closed by the server");
            }
            return line.toString();
        }

        @Override
        public void close() {
            if (socket != null) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
            socket = null;
        }
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
