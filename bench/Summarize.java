import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns bench/run.sh's results.csv (repetition, scenario, variant, metric, value) into the
 * table of medians, the targets met or missed, and the ratios to the ceilings: printed,
 * and written as summary.md and results.json beside the CSV.
 *
 * <pre>java bench/Summarize.java results.csv out-dir repetitions "jvm options" "git commit"</pre>
 */
public class Summarize {

    /** Peers measured on this machine the same way (the benchmark issue's figures). */
    private static final double NODE_RED_PER_S = 6100;
    private static final double N8N_PER_S = 140;

    public static void main(String[] args) throws IOException {
        Path csv = Path.of(args[0]);
        Path out = Path.of(args[1]);
        String repetitions = args.length > 2 ? args[2] : "?";
        String jvm = args.length > 3 ? args[3] : "";
        String commit = args.length > 4 ? args[4] : "?";
        Map<String, Map<String, List<Double>>> data = new LinkedHashMap<>(); // scenario/variant -> metric -> values
        for (String line : Files.readAllLines(csv).subList(1, Files.readAllLines(csv).size())) {
            String[] f = line.split(",", -1);
            if (f.length < 5 || f[4].isBlank()) {
                continue;
            }
            try {
                data.computeIfAbsent(f[1] + "/" + f[2], k -> new LinkedHashMap<>())
                        .computeIfAbsent(f[3], k -> new ArrayList<>()).add(Double.parseDouble(f[4]));
            } catch (NumberFormatException notANumber) {
                // a metric a run could not measure; left out of the medians
            }
        }
        StringBuilder md = new StringBuilder();
        md.append("Switchboard benchmark, ").append(OffsetDateTime.now(ZoneOffset.UTC)
                .format(DateTimeFormatter.ISO_LOCAL_DATE_TIME).substring(0, 16)).append(" UTC, commit ").append(commit)
                .append("\n\n");
        md.append("Machine: ").append(machine()).append("\n");
        md.append("JVM options under test: `").append(jvm).append("`; medians of ").append(repetitions)
                .append(" repetitions (min–max in brackets).\n\n");

        md.append("| scenario | variant | rate /s | p50 ms | p99 ms | errors | RSS MB | server cores | PostgreSQL cores | load gen. cores | other cores |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (var entry : data.entrySet()) {
            Map<String, List<Double>> m = entry.getValue();
            if (!m.containsKey("per_s") || !m.containsKey("p50_ms")) {
                continue;
            }
            String[] sv = entry.getKey().split("/", 2);
            md.append("| ").append(sv[0]).append(" | ").append(sv[1]).append(" | ").append(cell(m, "per_s", 0))
                    .append(" | ").append(cell(m, "p50_ms", 1)).append(" | ").append(cell(m, "p99_ms", 1))
                    .append(" | ").append(cell(m, "errors", 0)).append(" | ").append(cell(m, "rss_mb", 0))
                    .append(" | ").append(cell(m, "server_cores", 2)).append(" | ").append(cell(m, "pg_cores", 2))
                    .append(" | ").append(cell(m, "loadgen_cores", 2)).append(" | ").append(cell(m, "other_cores", 2))
                    .append(" |\n");
        }
        md.append("\nOther measurements:\n\n| scenario | variant | metric | median | min–max |\n|---|---|---|---|---|\n");
        for (var entry : data.entrySet()) {
            String[] sv = entry.getKey().split("/", 2);
            boolean loadRow = entry.getValue().containsKey("p50_ms");
            for (var metric : entry.getValue().entrySet()) {
                if (loadRow && List.of("per_s", "p50_ms", "p99_ms", "errors", "rss_mb", "server_cores", "pg_cores",
                        "loadgen_cores", "other_cores").contains(metric.getKey())) {
                    continue;
                }
                double[] v = sorted(metric.getValue());
                md.append("| ").append(sv[0]).append(" | ").append(sv[1]).append(" | ").append(metric.getKey())
                        .append(" | ").append(fmt(median(v), 2)).append(" | ").append(fmt(v[0], 2)).append("–")
                        .append(fmt(v[v.length - 1], 2)).append(" |\n");
            }
        }

        md.append("\nTargets (medians):\n\n| target | measured | met |\n|---|---|---|\n");
        // The targets of issue 17, measured as users run it (every route started).
        target(md, "ingest on PostgreSQL, 64 connections, routes running ≥ 6,000 events/s",
                get(data, "ingest/postgres-64-running", "per_s"), 6000, true);
        target(md, "ingest on PostgreSQL, 64 connections, routes running, p99 ≤ 25 ms",
                get(data, "ingest/postgres-64-running", "p99_ms"), 25, false);
        target(md, "ingest on H2, 64 connections, routes running ≥ 8,000 events/s",
                get(data, "ingest/h2-64-running", "per_s"), 8000, true);
        target(md, "relay ≥ 2,000 events/s done end to end, ingest running meanwhile",
                get(data, "relay/relay", "done_per_s"), 2000, true);
        target(md, "chain ≥ 300 leads/s", get(data, "chain/lead-intake", "per_s"), 300, true);
        // Slow systems (200 ms a call, 500 events in flight by default): the server's own RSS
        // with that many calls waiting; the rate is in the ratios, against what the wait allows.
        String slow = data.keySet().stream().filter(k -> k.startsWith("slow/")).findFirst().orElse("slow/relay");
        target(md, "slow systems: RSS with every event in flight ≤ 512 MB (" + slow + ")",
                get(data, slow, "rss_mb"), 512, false);
        // The lookup's targets hold "while both systems answer within 2 ms": the variant whose
        // systems answer from memory (bench/SystemsStub.java). The simulated systems' variant
        // (customer-lookup-32) is listed above for comparison.
        target(md, "customer-lookup at 32 connections ≥ 2,000 lookups/s (systems answering in < 2 ms)",
                get(data, "lookup/customer-lookup-fast-32", "per_s"), 2000, true);
        target(md, "customer-lookup p50 ≤ 10 ms", get(data, "lookup/customer-lookup-fast-32", "p50_ms"), 10, false);
        target(md, "customer-lookup p99 ≤ 50 ms", get(data, "lookup/customer-lookup-fast-32", "p99_ms"), 50, false);
        target(md, "sync ≥ 5,000 invoices/s", get(data, "sync/invoice-sync", "per_s"), 5000, true);
        target(md, "RSS under ingest load ≤ 512 MB (largest of all runs)", max(data, "footprint/postgres", "load_rss_mb",
                "footprint/h2"), 512, false);
        target(md, "healthy ≤ 8 s (ms, PostgreSQL)", get(data, "footprint/postgres", "healthy_ms"), 8000, false);

        md.append("\nRatios (medians):\n\n");
        // Node-RED with the relay's flow, measured in this run (bench/peers.sh) when it could be;
        // and the figures measured when issue 17 was filed: Node-RED with one downstream POST and
        // nothing stored, n8n with one HTTP request node and its executions saved.
        ratio(md, "relay events done/s / Node-RED measured in this run (same flow and stub, nothing stored)",
                get(data, "relay/relay", "done_per_s"), get(data, "peers/node-red-relay-32", "per_s"));
        // relay-200ms-500: at most 500 calls of 200 ms each at once, so 2,500/s is what the wait allows.
        Matcher slowShape = Pattern.compile("slow/relay-(\\d+)ms-(\\d+)").matcher(slow);
        ratio(md, "slow systems: events done/s / what the in-flight limit allows (in flight × 1000 / delay ms)",
                get(data, slow, "done_per_s"), slowShape.matches()
                        ? Double.parseDouble(slowShape.group(2)) * 1000 / Double.parseDouble(slowShape.group(1)) : null);
        ratio(md, "chain leads/s / Node-RED's lead chain measured in this run (same five calls, same simulated systems, nothing stored)",
                get(data, "chain/lead-intake", "per_s"), get(data, "peers/node-red-chain", "per_s"));
        ratio(md, "customer-lookup/s / Node-RED's lookup measured in this run (same two calls in parallel, same stub, 32 connections)",
                get(data, "lookup/customer-lookup-fast-32", "per_s"), get(data, "peers/node-red-lookup-fast-32", "per_s"));
        // Issue 31's other ratios, each against a figure of the same run.
        ratio(md, "queue trigger DONE/s / plain Camel consuming the same queue with the same call, nothing stored (target ≥ 0.7)",
                get(data, "queue/switchboard", "per_s"), get(data, "queue/camel-ceiling", "per_s"));
        ratio(md, "ingest H2-64 with the routes running / with lead-intake stopped (target ≥ 0.9)",
                get(data, "ingest/h2-64-running", "per_s"), get(data, "ingest/h2-64", "per_s"));
        ratio(md, "ingest PostgreSQL-64 with the routes running / Node-RED's relay measured in this run (target ≥ 5)",
                get(data, "ingest/postgres-64-running", "per_s"), get(data, "peers/node-red-relay-32", "per_s"));
        ratio(md, "healthy, PostgreSQL / a bare Spring Boot web app with the same JVM options (target ≤ 2)",
                get(data, "footprint/postgres", "healthy_ms"), get(data, "footprint/bare-spring-boot", "healthy_ms"));
        ratio(md, "healthy, H2 / a bare Spring Boot web app with the same JVM options (target ≤ 2)",
                get(data, "footprint/h2", "healthy_ms"), get(data, "footprint/bare-spring-boot", "healthy_ms"));
        ratio(md, "relay events done/s / Node-RED's 1,648 requests/s (one POST, nothing stored, when issue 17 was filed)",
                get(data, "relay/relay", "done_per_s"), 1648.0);
        ratio(md, "relay events done/s / n8n's 121 executions/s (one HTTP node, executions saved, when issue 17 was filed)",
                get(data, "relay/relay", "done_per_s"), 121.0);
        ratio(md, "ingest PostgreSQL-64 / pgbench, same rows, 32 events per transaction (the database's ceiling)",
                get(data, "ingest/postgres-64", "per_s"), get(data, "ceiling/pg-32-per-tx", "per_s"));
        ratio(md, "ingest PostgreSQL-64 / pgbench, same rows, one event per transaction",
                get(data, "ingest/postgres-64", "per_s"), get(data, "ceiling/pg-1-per-tx", "per_s"));
        ratio(md, "ingest PostgreSQL-64 / bare JDK HTTP server with the same load generator (the HTTP ceiling)",
                get(data, "ingest/postgres-64", "per_s"), get(data, "ceiling/jdk-http-64", "per_s"));
        ratio(md, "ingest PostgreSQL-64 / Node-RED without storing (6,100/s)", get(data, "ingest/postgres-64", "per_s"),
                NODE_RED_PER_S);
        ratio(md, "ingest PostgreSQL-64 / n8n (140/s)", get(data, "ingest/postgres-64", "per_s"), N8N_PER_S);

        Files.writeString(out.resolve("summary.md"), md);
        Files.writeString(out.resolve("results.json"), json(data));
        System.out.print(md);
    }

    private static String machine() {
        String cpu = "?";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("?");
        } catch (IOException ignored) {
            // not Linux
        }
        return Runtime.getRuntime().availableProcessors() + " CPUs (" + cpu + "), "
                + String.format(Locale.ROOT, "%.1f GiB", totalMemoryGiB()) + ", Java " + System.getProperty("java.version")
                + ", " + System.getProperty("os.name") + " " + System.getProperty("os.version");
    }

    private static double totalMemoryGiB() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize() / 1073741824.0;
        }
        return 0;
    }

    private static void target(StringBuilder md, String name, Double value, double bound, boolean atLeast) {
        String met = value == null ? "not measured" : (atLeast ? value >= bound : value <= bound) ? "yes" : "**no**";
        md.append("| ").append(name).append(" | ").append(value == null ? "-" : fmt(value, 1)).append(" | ").append(met)
                .append(" |\n");
    }

    private static void ratio(StringBuilder md, String name, Double a, Double b) {
        md.append("- ").append(name).append(": ")
                .append(a == null || b == null || b == 0 ? "not measured" : fmt(a / b, 2)).append("\n");
    }

    private static Double get(Map<String, Map<String, List<Double>>> data, String key, String metric) {
        var values = data.getOrDefault(key, Map.of()).get(metric);
        return values == null || values.isEmpty() ? null : median(sorted(values));
    }

    private static Double max(Map<String, Map<String, List<Double>>> data, String key, String metric, String other) {
        double best = -1;
        for (String k : List.of(key, other)) {
            for (double v : data.getOrDefault(k, Map.of()).getOrDefault(metric, List.of())) {
                best = Math.max(best, v);
            }
        }
        return best < 0 ? null : best;
    }

    private static String cell(Map<String, List<Double>> m, String metric, int decimals) {
        List<Double> values = m.get(metric);
        if (values == null || values.isEmpty()) {
            return "-";
        }
        double[] v = sorted(values);
        String median = fmt(median(v), decimals);
        return v.length == 1 ? median : median + " (" + fmt(v[0], decimals) + "–" + fmt(v[v.length - 1], decimals) + ")";
    }

    private static double[] sorted(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(v);
        return v;
    }

    private static double median(double[] v) {
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static String fmt(double value, int decimals) {
        return String.format(Locale.ROOT, "%,." + decimals + "f", value);
    }

    private static String json(Map<String, Map<String, List<Double>>> data) {
        StringBuilder j = new StringBuilder("{\n");
        int i = 0;
        for (var entry : data.entrySet()) {
            j.append("  \"").append(entry.getKey()).append("\": {");
            int k = 0;
            for (var metric : entry.getValue().entrySet()) {
                double[] v = sorted(metric.getValue());
                j.append(k++ == 0 ? "" : ", ").append('"').append(metric.getKey()).append("\": {\"median\": ")
                        .append(median(v)).append(", \"runs\": ").append(metric.getValue()).append('}');
            }
            j.append(i++ < data.size() - 1 ? "},\n" : "}\n");
        }
        return j.append("}\n").toString();
    }
}
