package io.switchboard.drill;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.alerting.Alerts;
import io.switchboard.connect.Connection;
import io.switchboard.connect.Connections;
import io.switchboard.connect.ConnectionsProperties.AuthType;
import io.switchboard.inbox.InboxSignal;
import io.switchboard.inbox.InboxStore;
import io.switchboard.ingress.ApiIntegrationPaths;
import io.switchboard.ingress.WebhookIngress;
import io.switchboard.ingress.WebhookRejection;
import io.switchboard.integration.IntegrationsProperties.Integration;
import io.switchboard.integration.IntegrationsProperties;
import io.switchboard.integration.RouteCalls;
import io.switchboard.integration.Trigger;
import io.switchboard.journal.ClusterNodes;
import io.switchboard.sandbox.SandboxFaultControl.Fault;
import io.switchboard.sandbox.SandboxFaultControl;
import io.switchboard.sandbox.SandboxTraffic.Call;
import io.switchboard.sandbox.SandboxTraffic;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.model.Model;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.RouteDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * An integration's reliability drill: the cases that matter (normal, missing data, duplicate,
 * expired and revoked credential, permission, outage, volume), derived from its card, schema,
 * trigger and the connections its route calls, run against the sandbox on the live server with
 * test-marked events and payloads of their own (every text field carries the drill's marker,
 * so the sandbox's request log tells the drill's effects from anyone else's). Each case keeps
 * its evidence (event ids, step trails, effects per system, token requests, requests per second)
 * and a verdict with the reason; a case that does not apply to the trigger is skipped, saying why.
 *
 * <p>The sandbox's faults are global while a case runs: drill on a demo or staging server, not
 * beside real traffic that the same faults would hit.
 */
@Component
public class Drills implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(Drills.class);
    private static final Set<String> FINAL = Set.of("DONE", "DEAD", "DUPLICATE", "WAITING");

    /** One case's verdict, with the reason and the evidence it rests on. */
    public record CaseResult(String name, Outcome outcome, String reason, List<String> eventIds,
            Map<String, Object> evidence) {
    }

    /** A drill: running, else its verdict ({@link Outcome#verdict}), with its cases. */
    public record DrillResult(String drillId, String integration, String status, String requestedBy, Instant startedAt,
            Instant finishedAt, String routeDigest, List<CaseResult> cases) {
    }

    /** Why a drill cannot start. */
    public static final class Refused extends RuntimeException {
        private final int status;

        Refused(int status, String message) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    private final IntegrationsProperties integrations;
    private final WebhookIngress ingress;
    private final InboxStore inbox;
    private final InboxSignal signal;
    private final CamelContext camel;
    private final Connections connections;
    private final Alerts alerts;
    private final JdbcTemplate jdbc;
    private final ObjectMapper json;
    private final Clock clock;
    private final Environment environment;
    private final ObjectProvider<SandboxTraffic> traffic;
    private final ObjectProvider<SandboxFaultControl> faults;
    private final int volume;
    private final ClusterNodes nodes;
    private final Set<String> running = ConcurrentHashMap.newKeySet();
    private final ExecutorService runner = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "drills");
        thread.setDaemon(true);
        return thread;
    });

    Drills(IntegrationsProperties integrations, WebhookIngress ingress, InboxStore inbox, InboxSignal signal,
            CamelContext camel, Connections connections, Alerts alerts, JdbcTemplate jdbc, ObjectMapper json, Clock clock,
            Environment environment, ObjectProvider<SandboxTraffic> traffic, ObjectProvider<SandboxFaultControl> faults,
            ClusterNodes nodes, @Value("${switchboard.drills.volume:500}") int volume) {
        this.nodes = nodes;
        this.integrations = integrations;
        this.ingress = ingress;
        this.inbox = inbox;
        this.signal = signal;
        this.camel = camel;
        this.connections = connections;
        this.alerts = alerts;
        this.jdbc = jdbc;
        this.json = json;
        this.clock = clock;
        this.environment = environment;
        this.traffic = traffic;
        this.faults = faults;
        this.volume = volume;
    }

    /**
     * Starts the integration's drill in the background; the answer is its running record.
     *
     * @throws Refused 404 unknown integration, 409 a drill of it runs already or the sandbox
     *                 does not serve every connection its route calls
     */
    public DrillResult start(String integration, String requestedBy) {
        Integration settings = integrations.find(integration)
                .orElseThrow(() -> new Refused(404, "No integration " + integration + "; GET /api/integrations lists them."));
        SandboxTraffic log = traffic.getIfAvailable();
        SandboxFaultControl control = faults.getIfAvailable();
        if (log == null || control == null) {
            throw new Refused(409, "Drills run against the sandbox, which is off on this server "
                    + "(switchboard.sandbox.enabled): drill on a demo or staging server.");
        }
        RouteDefinition route = routeOf(integration);
        if (route == null) {
            throw new Refused(409, "Integration " + integration + " has no route running to drill.");
        }
        if (nodes.live() > 1) {
            throw new Refused(409, nodes.live() + " nodes are running: a drill reads the sandbox's request log, which "
                    + "each node keeps for itself, while any node may process the drill's events. Drill on a single "
                    + "node (a demo or staging server).");
        }
        String sandbox = environment.getProperty("switchboard.sandbox.base-url", "");
        if (sandbox.isBlank()) {
            throw new Refused(409, "switchboard.sandbox.base-url is empty: the drill cannot tell the sandbox's "
                    + "connections from real systems.");
        }
        for (String name : RouteCalls.connections(route)) {
            Connection connection = connections.get(name);
            if (!connection.baseUrl().startsWith(sandbox)) {
                throw new Refused(409, "Connection " + name + " (" + connection.baseUrl() + ") is not served by the "
                        + "sandbox (" + sandbox + "): a drill would act on the real system. Point it at the sandbox "
                        + "to drill " + integration + ".");
            }
        }
        if (!running.add(integration)) {
            throw new Refused(409, "A drill of " + integration + " is running; GET /api/integrations/" + integration
                    + "/drills shows it.");
        }
        DrillResult started;
        try {
            // A drill left "running" by a server that stopped mid-drill is over: it ran on this node.
            jdbc.update("update drill_run set status = 'failed', finished_at = ? where integration = ? and status = "
                    + "'running'", Timestamp.from(Instant.now(clock)), integration);
            started = new DrillResult(UUID.randomUUID().toString(), integration, "running", requestedBy,
                    Instant.now(clock), null, digest(route), List.of());
            jdbc.update("insert into drill_run (id, integration, status, requested_by, started_at, route_digest, result) "
                    + "values (?, ?, ?, ?, ?, ?, ?)", started.drillId(), integration, started.status(), requestedBy,
                    Timestamp.from(started.startedAt()), started.routeDigest(), "[]");
        } catch (RuntimeException storage) {
            running.remove(integration);
            throw storage;
        }
        runner.submit(() -> {
            try {
                finish(started, new Drill(integration, settings, route, log, control).run());
            } catch (RuntimeException broken) {
                log(started, broken);
            } finally {
                running.remove(integration);
            }
        });
        return started;
    }

    /** The integration's last drill, if any. */
    public Optional<DrillResult> last(String integration) {
        return jdbc.query("select id, integration, status, requested_by, started_at, finished_at, route_digest, result "
                + "from drill_run where integration = ? order by started_at desc limit 1", (rs, n) -> result(rs),
                integration).stream().findFirst();
    }

    /** The digest of the integration's route file now: a drill of another digest did not drill this version. */
    public Optional<String> currentDigest(String integration) {
        return Optional.ofNullable(routeOf(integration)).map(this::digest);
    }

    /** Every integration's last drill, in one query (the console asks on every poll). */
    public Map<String, DrillResult> lastOfEach() {
        Map<String, DrillResult> last = new LinkedHashMap<>();
        jdbc.query("select id, integration, status, requested_by, started_at, finished_at, route_digest, result "
                + "from drill_run d where started_at = (select max(started_at) from drill_run where integration = "
                + "d.integration)", (rs, n) -> result(rs)).forEach(drill -> last.put(drill.integration(), drill));
        return last;
    }

    private void finish(DrillResult started, List<CaseResult> cases) {
        String verdict = Outcome.verdict(cases.stream().map(CaseResult::outcome).toList()).word();
        try {
            jdbc.update("update drill_run set status = ?, finished_at = ?, result = ? where id = ?",
                    verdict, Timestamp.from(Instant.now(clock)), json.writeValueAsString(cases),
                    started.drillId());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        log.info("drill of {}: {} ({})", started.integration(), verdict,
                cases.stream().map(c -> c.name() + " " + c.outcome().word()).toList());
    }

    private void log(DrillResult started, RuntimeException broken) {
        log.warn("drill of {} broke off: {}", started.integration(), broken.toString());
        jdbc.update("update drill_run set status = 'failed', finished_at = ?, result = ? where id = ?",
                Timestamp.from(Instant.now(clock)), "[{\"name\":\"drill\",\"outcome\":\"failed\",\"reason\":"
                        + json.valueToTree(String.valueOf(broken.getMessage())) + ",\"eventIds\":[],\"evidence\":{}}]",
                started.drillId());
    }

    private DrillResult result(ResultSet rs) throws SQLException {
        List<CaseResult> cases;
        try {
            cases = List.of(json.readValue(rs.getString(8), CaseResult[].class));
        } catch (JsonProcessingException unreadable) {
            cases = List.of();
        }
        Timestamp finished = rs.getTimestamp(6);
        return new DrillResult(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                rs.getTimestamp(5).toInstant(), finished == null ? null : finished.toInstant(), rs.getString(7), cases);
    }

    /** The integration's route: the one named after it, else the first it owns. */
    private RouteDefinition routeOf(String integration) {
        Model model = camel.getCamelContextExtension().getContextPlugin(Model.class);
        RouteDefinition named = model.getRouteDefinition(integration);
        return named != null ? named : model.getRouteDefinitions().stream()
                .filter(r -> integrations.ownerOfRoute(r.getRouteId()).filter(integration::equals).isPresent())
                .findFirst().orElse(null);
    }

    /** Digests by route file, kept while the file's size and time are unchanged (the console asks every poll). */
    private final Map<String, String[]> digests = new ConcurrentHashMap<>();

    /** The SHA-256 of the route's file (its YAML as written), else of its definition. */
    private String digest(RouteDefinition route) {
        String location = route.getLocation();
        String file = location == null ? null : location.replaceFirst("^(file|classpath):", "");
        try {
            if (file != null && Files.isRegularFile(Path.of(file))) {
                String stamp = Files.getLastModifiedTime(Path.of(file)).toMillis() + "/" + Files.size(Path.of(file));
                String[] known = digests.get(file);
                if (known != null && known[0].equals(stamp)) {
                    return known[1];
                }
                String digest = sha256(Files.readString(Path.of(file)));
                digests.put(file, new String[] {stamp, digest});
                return digest;
            }
        } catch (IOException unreadable) {
            // digested from the definition below
        }
        return sha256(route.toString());
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The most calls in any window shorter than a second (a sliding window, not calendar seconds,
     * which hide a burst across their edge). The window is 900 ms: calls spaced evenly at the limit
     * arrive up to ~100 ms early or late (two shared cores), and a full second would then hold one more.
     */
    static int peakWithinOneSecond(List<Instant> times) {
        List<Instant> sorted = times.stream().sorted().toList();
        int peak = 0;
        int first = 0;
        for (int i = 0; i < sorted.size(); i++) {
            while (Duration.between(sorted.get(first), sorted.get(i)).toMillis() >= 900) {
                first++;
            }
            peak = Math.max(peak, i - first + 1);
        }
        return peak;
    }

    @Override
    public void destroy() {
        runner.shutdownNow();
    }

    /** One drill run: its cases in order, each against the sandbox, faults cleared after each. */
    private final class Drill {

        private final String id;
        private final Integration settings;
        private final RouteDefinition route;
        private final SandboxTraffic traffic;
        private final SandboxFaultControl faults;
        private final String marker = "drill" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        private final Duration budget;
        /** How long one event of a case may take: a minute, and room for three retries at the longest delay. */
        private final Duration deadline;
        private int sequence;
        /** What the normal case's event wrote, by system and path; null until it ran. */
        private Map<String, Integer> normalEffects;

        Drill(String id, Integration settings, RouteDefinition route, SandboxTraffic traffic, SandboxFaultControl faults) {
            this.id = id;
            this.settings = settings;
            this.route = route;
            this.traffic = traffic;
            this.faults = faults;
            this.budget = settings.card() != null && settings.card().latencyBudget() != null
                    ? settings.card().latencyBudget() : Duration.ofMinutes(5);
            IntegrationsProperties.Inbox inbox = settings.inbox() == null ? IntegrationsProperties.Inbox.DEFAULT
                    : settings.inbox();
            this.deadline = Duration.ofSeconds(60).plus(inbox.maxRetryDelay().multipliedBy(3));
        }

        List<CaseResult> run() {
            // Faults a crashed drill (or a person) left behind would meet the first case's calls.
            faults.clear();
            List<CaseResult> cases = new ArrayList<>();
            Trigger trigger = settings.trigger();
            if (trigger == Trigger.WEBHOOK || trigger == Trigger.EVENT) {
                String problem = payloadProblem();
                if (problem != null) {
                    return unsendable(problem);
                }
            }
            cases.add(guarded("normal", this::normal));
            if (trigger == Trigger.WEBHOOK || trigger == Trigger.EVENT) {
                cases.add(guarded("missing-data", this::missingData));
                cases.add(guarded("duplicate", this::duplicate));
            } else {
                cases.add(skipped("missing-data", trigger == Trigger.SCHEDULE ? "a scheduled run takes no payload"
                        : "an api call's parameters are its path " + pathParameters() + "; a missing one is a 404 of "
                                + "the HTTP layer"));
                cases.add(skipped("duplicate", trigger == Trigger.SCHEDULE
                        ? "a run has no delivery to repeat" + (written().isEmpty() ? " and writes nothing ("
                                + calling() + ")" : "; what keeps a re-read from writing twice to " + written()
                                + " is the route's own (a watermark, an idempotent write)")
                        : written().isEmpty() ? "an api call is answered, not stored, and writes nothing ("
                                + calling() + "): there is no effect to double"
                        : "an api call is answered, not stored: there is no delivery to repeat (each call writes to "
                                + written() + ")"));
            }
            if (trigger == Trigger.API) {
                for (String name : List.of("expired-credential", "revoked-credential", "permission", "outage")) {
                    cases.add(skipped(name, "an api call stores no event to retry or park: the caller gets what "
                            + "failed in the answer at once; " + calling()));
                }
                cases.add(guarded("volume", this::apiVolume));
                return cases;
            }
            if (trigger == Trigger.SCHEDULE) {
                for (String name : List.of("expired-credential", "revoked-credential", "permission")) {
                    cases.add(skipped(name, scheduledFaultSkip()));
                }
                cases.add(guarded("outage", this::outage));
                cases.add(skipped("volume", "runs of a schedule go one at a time by design (the run lock): there "
                        + "is no burst to send"));
                return cases;
            }
            cases.add(guarded("expired-credential", reaching(this::expiredCredential)));
            cases.add(guarded("permission", reaching(this::permission)));
            cases.add(guarded("outage", reaching(this::outage)));
            cases.add(guarded("volume", this::volume));
            // Last: the credentials cool-down that follows holds the connection back for a while.
            cases.add(guarded("revoked-credential", reaching(this::revokedCredential)));
            return cases;
        }

        /** No case can run on a payload the schema refuses: a card's example is wrong, a generated one a blind spot. */
        private List<CaseResult> unsendable(String problem) {
            boolean example = example() != null;
            String reason = (example ? "the card's drill example" : "the payload generated from the schema")
                    + " does not match the schema (" + problem + ")";
            List<CaseResult> cases = new ArrayList<>();
            cases.add(new CaseResult("normal", example ? Outcome.FAILED : Outcome.INCONCLUSIVE,
                    reason + (example ? "" : ": give the card a drill example"), List.of(), Map.of()));
            for (String name : List.of("missing-data", "duplicate", "expired-credential", "permission", "outage",
                    "volume", "revoked-credential")) {
                cases.add(inconclusive(name, "not run: " + reason, List.of(), Map.of()));
            }
            return cases;
        }

        /**
         * A fault case judges what the route's calls did with the fault: when the normal case's
         * payload reached no call (no effect), the fault would meet nothing and prove nothing.
         */
        private Function<String, CaseResult> reaching(Function<String, CaseResult> work) {
            return name -> normalEffects != null && normalEffects.isEmpty() && !RouteCalls.connections(route).isEmpty()
                    ? inconclusive(name, NO_EFFECT, List.of(), Map.of("normalEffects", normalEffects))
                    : work.apply(name);
        }

        private CaseResult guarded(String name, Function<String, CaseResult> work) {
            try {
                return work.apply(name);
            } catch (RuntimeException broken) {
                return new CaseResult(name, Outcome.FAILED, "the case broke off: " + broken, List.of(), Map.of());
            } finally {
                faults.clear();
            }
        }

        // ---- the cases ----------------------------------------------------------------------

        private CaseResult normal(String name) {
            Instant from = Instant.now(clock);
            if (settings.trigger() == Trigger.API) {
                ApiIntegrationPaths.Answer answer = ApiIntegrationPaths.call(camel.getRoute(route.getRouteId()), id,
                        payload(next()));
                Map<String, Object> evidence = Map.of("status", answer.status(), "durationMs", answer.durationMs());
                return answer.status() < 500 && answer.durationMs() <= budget.toMillis()
                        ? passed(name, "answered " + answer.status() + " in " + answer.durationMs() + " ms", List.of(), evidence)
                        : failed(name, "answered " + answer.status() + " in " + answer.durationMs() + " ms (budget "
                                + budget + ")" + (answer.error() == null ? "" : ": " + answer.error()), List.of(), evidence);
            }
            if (settings.trigger() == Trigger.SCHEDULE) {
                String run = runNow();
                Map<String, Object> evidence = new LinkedHashMap<>();
                String status = await(run, evidence);
                // A run writes what changed since its watermark: its effects are whatever it found.
                Map<String, Integer> effects = effects(from, "");
                normalEffects = effects;
                evidence.put("effects", effects);
                List<String> calls = traffic.since(from).stream().filter(c -> !"oauth".equals(c.system()))
                        .map(c -> c.system() + " " + c.method() + " " + c.path()).distinct().toList();
                evidence.put("calls", calls);
                if (!"DONE".equals(status)) {
                    return failed(name, "a run started now ended " + status + ": " + lastError(run), List.of(run), evidence);
                }
                // Reading its source is what a run with nothing new to write shows of itself.
                return calls.isEmpty()
                        ? inconclusive(name, "a run started now ended DONE without calling any system: " + NO_EFFECT,
                                List.of(run), evidence)
                        : passed(name, "a run started now ended DONE; it called " + calls + " and wrote " + effects,
                                List.of(run), evidence);
            }
            String instance = next();
            String event = send(instance, null);
            Map<String, Object> evidence = new LinkedHashMap<>();
            String status = await(event, evidence);
            Map<String, Integer> effects = effects(from, instance);
            evidence.put("effects", effects);
            if (!"DONE".equals(status)) {
                return failed(name, "ended " + status + ": " + lastError(event), List.of(event), evidence);
            }
            normalEffects = effects;
            if (effects.isEmpty()) {
                // The route may branch on data the payload did not carry: that is the drill's
                // blind spot, not the route's fault, unless the card's own example missed too.
                JsonNode example = example();
                if (example != null && DrillPayloads.marks(example) && writes()) {
                    return failed(name, "DONE, but no system shows an effect of the card's drill example although the "
                            + "route writes to " + RouteCalls.connections(route), List.of(event), evidence);
                }
                return inconclusive(name, "DONE, but no system shows an effect of it" + (!writes()
                        ? " (the route writes nothing)" : example != null
                        ? " (the card's drill example has no " + DrillPayloads.MARK + " to tell its effects by)"
                        : " (the route writes to " + RouteCalls.connections(route) + " on some path)")
                        + ": " + NO_EFFECT, List.of(event), evidence);
            }
            return effects.values().stream().allMatch(n -> n == 1)
                    ? passed(name, "DONE; each system shows its effect once " + effects, List.of(event), evidence)
                    : failed(name, "DONE, but an effect happened more than once: " + effects, List.of(event), evidence);
        }

        /** Whether a step of the route writes to a connection (a call other than GET). */
        private boolean writes() {
            return !written().isEmpty();
        }

        /** The integration's routes: the drilled one and those it owns ({@code customer-lookup-crm}). */
        private List<RouteDefinition> ownRoutes() {
            List<RouteDefinition> own = new ArrayList<>(List.of(route));
            camel.getCamelContextExtension().getContextPlugin(Model.class).getRouteDefinitions().stream()
                    .filter(r -> r != route && integrations.ownerOfRoute(r.getRouteId()).filter(id::equals).isPresent())
                    .forEach(own::add);
            return own;
        }

        /** The connections the integration's routes call, in order. */
        private Set<String> called() {
            Set<String> called = new LinkedHashSet<>();
            ownRoutes().forEach(r -> called.addAll(RouteCalls.connections(r)));
            return called;
        }

        /** The connections a step of the integration's routes writes to (calls other than GET), in order. */
        private Set<String> written() {
            Set<String> written = new LinkedHashSet<>();
            List<ProcessorDefinition<?>> steps = new ArrayList<>();
            ownRoutes().forEach(r -> steps.addAll(r.getOutputs()));
            for (int i = 0; i < steps.size(); i++) {
                String uri = RouteCalls.callUri(steps.get(i));
                if (uri != null && uri.startsWith("connection:") && !uri.contains("method=GET")) {
                    String rest = uri.substring("connection:".length());
                    written.add(rest.split("[/?]", 2)[0]);
                }
                steps.addAll(steps.get(i).getOutputs());
            }
            return written;
        }

        /** What the integration calls, for a skip reason: "its route calls [billing, crm], writing to [crm]". */
        private String calling() {
            Set<String> called = called();
            return called.isEmpty() ? "its route calls no connection" : "its route calls " + called
                    + (written().isEmpty() ? " to read only" : ", writing to " + written());
        }

        /**
         * Why a schedule's credential and scope cases are skipped, from what its route calls: a
         * run's calls depend on what its source holds when it runs, so a fault may meet no call.
         */
        private String scheduledFaultSkip() {
            if (called().isEmpty()) {
                return "its route calls no connection: there is no credential or scope to fault";
            }
            return "a run of " + id + " makes only the calls its source's data at the time needs (" + calling()
                    + "), and a run carries no marker to aim a fault at its own calls, so a credential or scope "
                    + "fault may never be met; the route's own tests cover these";
        }

        private CaseResult missingData(String name) {
            JsonNode schema = ingress.schemaOf(id).orElse(null);
            if (schema == null || !schema.path("required").isArray() || schema.path("required").isEmpty()) {
                return skipped(name, "no schema with required fields: add routes/" + id + ".schema.json");
            }
            Instant from = Instant.now(clock);
            List<String> events = new ArrayList<>();
            Map<String, Object> evidence = new LinkedHashMap<>();
            List<String> problems = new ArrayList<>();
            for (JsonNode required : schema.path("required")) {
                String instance = next();
                ObjectNode payload = payload(instance);
                payload.remove(required.asText());
                if (settings.trigger() == Trigger.WEBHOOK) {
                    try {
                        ingress.checkPayload(id, json.writeValueAsBytes(payload));
                        problems.add("without " + required.asText() + " it was accepted");
                    } catch (WebhookRejection refused) {
                        evidence.put(required.asText(), refused.status().value() + " " + refused.getMessage());
                        if (refused.status().value() != 400 || !refused.getMessage().contains(required.asText())) {
                            problems.add("without " + required.asText() + ": " + refused.status().value() + " "
                                    + refused.getMessage());
                        }
                    } catch (JsonProcessingException e) {
                        throw new IllegalStateException(e);
                    }
                } else {
                    // An internal event is not checked on its way in: the route must park it.
                    String event = send(instance, payload);
                    events.add(event);
                    String status = await(event, new LinkedHashMap<>());
                    String error = String.valueOf(lastError(event));
                    evidence.put(required.asText(), status + " " + error);
                    if (!"DEAD".equals(status) || !error.startsWith("invalid-data")) {
                        problems.add("without " + required.asText() + " it ended " + status + " (" + error + ")");
                    }
                }
            }
            Map<String, Integer> effects = effects(from, marker);
            evidence.put("effects", effects);
            if (!effects.isEmpty()) {
                problems.add("incomplete data reached a system: " + effects);
            }
            return problems.isEmpty()
                    ? passed(name, "each required field left out was " + (settings.trigger() == Trigger.WEBHOOK
                            ? "refused 400 naming it" : "parked as invalid-data") + "; nothing reached any system",
                            events, evidence)
                    : failed(name, String.join("; ", problems), events, evidence);
        }

        private CaseResult duplicate(String name) {
            if (normalEffects == null || normalEffects.isEmpty()) {
                return inconclusive(name, NO_EFFECT, List.of(), Map.of("normalEffects", String.valueOf(normalEffects)));
            }
            Instant from = Instant.now(clock);
            String instance = next();
            String delivery = "drill-" + instance;
            String payload = text(payload(instance));
            InboxStore.Accepted first = inbox.acceptTest(id, delivery, payload, "drill");
            InboxStore.Accepted again = inbox.acceptTest(id, delivery, payload, "drill");
            InboxStore.Accepted sameKey = inbox.acceptTest(id, delivery + "-new", payload, "drill");
            signal.wake(id);
            Map<String, Object> evidence = new LinkedHashMap<>();
            String status = await(first.eventId(), evidence);
            String second = await(sameKey.eventId(), new LinkedHashMap<>());
            Map<String, Integer> effects = effects(from, instance);
            evidence.put("effects", effects);
            evidence.put("sameDeliveryIsDuplicate", again.duplicate());
            evidence.put("newDeliverySameKey", second);
            List<String> events = List.of(first.eventId(), sameKey.eventId());
            if (!again.duplicate()) {
                return failed(name, "the same delivery was stored twice", events, evidence);
            }
            if (!"DONE".equals(status)) {
                return failed(name, "the first delivery ended " + status + ": " + lastError(first.eventId()), events, evidence);
            }
            if (!"DONE".equals(second) && !"DUPLICATE".equals(second)) {
                return failed(name, "the same business key under a new delivery id ended " + second + ": "
                        + lastError(sameKey.eventId()), events, evidence);
            }
            if (effects.isEmpty()) {
                return inconclusive(name, "the first delivery made no effect this time: " + NO_EFFECT, events, evidence);
            }
            return effects.values().stream().allMatch(n -> n == 1)
                    ? passed(name, "the same delivery again was a duplicate, and the same business key under a new "
                            + "delivery id made no second effect " + effects, events, evidence)
                    : failed(name, "the same business key under a new delivery id doubled an effect " + effects
                            + ": the idempotency key must come from the business data, not the delivery", events, evidence);
        }

        private CaseResult expiredCredential(String name) {
            List<String> oauth = calledWith(type -> type == AuthType.OAUTH2_CLIENT_CREDENTIALS
                    || type == AuthType.OAUTH2_AUTHORIZATION_CODE);
            if (oauth.isEmpty()) {
                return skipped(name, "the route calls no OAuth2 connection: static keys do not expire");
            }
            warmUp();
            Instant from = Instant.now(clock);
            faults.inject(Fault.expireTokens("oauth"));
            String instance = next();
            String event = send(instance, null);
            Map<String, Object> evidence = new LinkedHashMap<>();
            String status = await(event, evidence);
            long tokenRequests = traffic.since(from).stream().filter(c -> c.path().endsWith("/oauth/token")).count();
            evidence.put("tokenRequests", tokenRequests);
            evidence.put("oauthConnections", oauth);
            if (!"DONE".equals(status)) {
                return failed(name, "with the tokens expired it ended " + status + ": " + lastError(event), List.of(event),
                        evidence);
            }
            return tokenRequests >= 1 && tokenRequests <= oauth.size()
                    ? passed(name, "tokens expired at the provider: " + tokenRequests + " token request(s) for " + oauth
                            + ", then DONE", List.of(event), evidence)
                    : failed(name, tokenRequests + " token requests for " + oauth.size() + " connection(s): one "
                            + "refresh each (at least one) was expected", List.of(event), evidence);
        }

        private CaseResult revokedCredential(String name) {
            List<String> clients = calledWith(type -> type == AuthType.OAUTH2_CLIENT_CREDENTIALS);
            if (clients.isEmpty()) {
                return skipped(name, "the route calls no OAuth2 client-credentials connection the sandbox can revoke"
                        + (calledWith(type -> type == AuthType.OAUTH2_AUTHORIZATION_CODE).isEmpty() ? ""
                                : "; revoking a connected account needs a person to connect it again, which "
                                        + "ConnectAccountTest covers (events wait, one alert, resumed after Connect)"));
            }
            String connection = clients.get(0);
            String key = "connection:" + connection + ":credentials-rejected";
            Instant from = Instant.now(clock);
            faults.inject(Fault.revokeClient(systemOf(connection)));
            List<String> events = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                events.add(send(next(), null));
            }
            Map<String, Object> evidence = new LinkedHashMap<>();
            List<String> problems = new ArrayList<>();
            for (String event : events) {
                String status = await(event, evidence);
                String error = String.valueOf(lastError(event));
                if (!"DEAD".equals(status) || !error.startsWith("credentials")) {
                    problems.add(event + " ended " + status + " (" + error + ")");
                }
            }
            long raised = alerts.recent(200).stream().filter(a -> a.key().equals(key))
                    .filter(a -> !a.firstAt().isBefore(from.minusMillis(5))).count();
            evidence.put("alerts", raised);
            if (raised != 1) {
                problems.add(raised + " alerts " + key + " (one outage is one alert)");
            }
            faults.clear();
            recoverFrom(connection);
            return problems.isEmpty()
                    ? passed(name, "the revoked client parked every event as credentials, with one alert", events, evidence)
                    : failed(name, String.join("; ", problems), events, evidence);
        }

        private CaseResult permission(String name) {
            String connection = firstCalled();
            if (connection == null) {
                return skipped(name, "the route calls no connection");
            }
            List<String> cardScopes = settings.card() == null || settings.card().scopes() == null ? List.of()
                    : settings.card().scopes().getOrDefault(connection, List.of());
            String scope = cardScopes.isEmpty() ? "drill:scope" : cardScopes.get(cardScopes.size() - 1);
            String instance = next();
            faults.inject(Fault.status(systemOf(connection), 403, 1, null, scope, instance));
            String event = send(instance, null);
            Map<String, Object> evidence = new LinkedHashMap<>();
            String status = await(event, evidence);
            String error = String.valueOf(lastError(event));
            evidence.put("lastError", error);
            return "DEAD".equals(status) && error.startsWith("permission") && error.contains(scope)
                    ? passed(name, "a 403 from " + connection + " parked it as permission naming " + scope, List.of(event),
                            evidence)
                    : failed(name, "a 403 naming " + scope + " from " + connection + " ended " + status + " (" + error + ")",
                            List.of(event), evidence);
        }

        private CaseResult outage(String name) {
            String connection = firstCalled();
            if (connection == null) {
                return skipped(name, "the route calls no connection");
            }
            String system = systemOf(connection);
            Map<String, Object> evidence = new LinkedHashMap<>();
            List<String> problems = new ArrayList<>();
            // 503 twice, then the system is back.
            Instant from = Instant.now(clock);
            String instance = next();
            // The drill's own calls only (a run has no marker: its faults meet the next calls).
            String match = settings.trigger() == Trigger.SCHEDULE ? null : instance;
            faults.inject(Fault.status(system, 503, 2, null, null, match));
            String event = settings.trigger() == Trigger.SCHEDULE ? runNow() : send(instance, null);
            String status = await(event, evidence);
            int attempts = jdbc.queryForObject("select attempts from event where id = ?", Integer.class, event);
            Map<String, Integer> effects = settings.trigger() == Trigger.SCHEDULE ? Map.of() : effects(from, instance);
            evidence.put("attempts", attempts);
            evidence.put("effects", effects);
            if (!"DONE".equals(status)) {
                problems.add("after two 503s it ended " + status + " (" + lastError(event) + ")");
            } else if (effects.values().stream().anyMatch(n -> n != 1)) {
                problems.add("an effect was doubled by the retries " + effects);
            }
            faults.clear();
            // 429 with Retry-After: 2 s, once: the event's next call must not come sooner. Another
            // integration's call may meet the fault first; then the event never saw it: once more.
            long waitedMs = -1;
            String second = null;
            String secondStatus = null;
            for (int round = 0; round < 2 && waitedMs < 0; round++) {
                faults.clear();
                Instant limited = Instant.now(clock);
                String own = marker + String.format("n%04d", sequence + 1);
                faults.inject(Fault.status(system, 429, 1, 2, null,
                        settings.trigger() == Trigger.SCHEDULE ? null : own));
                second = settings.trigger() == Trigger.SCHEDULE ? runNow() : send(next(), null);
                secondStatus = await(second, new LinkedHashMap<>());
                List<Call> window = traffic.since(limited).stream().filter(c -> system.equals(c.system())).toList();
                evidence.put("callsAfter429Round" + (round + 1), window.stream().limit(8).map(c -> c.method() + " "
                        + c.path() + " " + c.status() + (c.mentions(own) ? " (this event)" : "")).toList());
                List<Call> calls = window.stream()
                        .filter(c -> settings.trigger() == Trigger.SCHEDULE || c.mentions(own)).toList();
                Call refused = calls.stream().filter(c -> c.status() == 429).findFirst().orElse(null);
                Call after = refused == null ? null : calls.stream().filter(c -> c.at().isAfter(refused.at()))
                        .findFirst().orElse(null);
                waitedMs = refused == null || after == null ? -1 : Duration.between(refused.at(), after.at()).toMillis();
            }
            evidence.put("retryAfterWaitedMs", waitedMs);
            if (!"DONE".equals(secondStatus)) {
                problems.add("after a 429 it ended " + secondStatus + " (" + lastError(second) + ")");
            } else if (waitedMs < 0) {
                problems.add("the 429 never met this event's own calls (twice another caller's): not measured");
            } else if (waitedMs < 1_950) {
                problems.add("the next call came " + waitedMs + " ms after a 429 with Retry-After: 2");
            }
            List<String> events = List.of(event, second);
            return problems.isEmpty()
                    ? passed(name, "two 503s then DONE after " + attempts + " attempts with each effect once; after a "
                            + "429 with Retry-After: 2 the next call came " + waitedMs + " ms later", events, evidence)
                    : failed(name, String.join("; ", problems), events, evidence);
        }

        private CaseResult volume(String name) {
            if (normalEffects == null || normalEffects.isEmpty()) {
                return inconclusive(name, NO_EFFECT, List.of(), Map.of("normalEffects", String.valueOf(normalEffects)));
            }
            // A burst the slowest connection cannot carry within the budget fails by arithmetic, and
            // would queue real events behind it for as long: it is capped at 80 % of what fits.
            double slowest = RouteCalls.connections(route).stream().map(connections::get)
                    .mapToDouble(c -> c.settings().rateLimit()).filter(rate -> rate > 0).min().orElse(0);
            int burst = slowest > 0 ? (int) Math.max(1, Math.min(volume, Math.floor(slowest * budget.toSeconds() * 0.8)))
                    : volume;
            Instant from = Instant.now(clock);
            List<String> events = new ArrayList<>();
            for (int i = 0; i < burst; i++) {
                events.add(send(next(), null));
            }
            Map<String, Object> evidence = new LinkedHashMap<>();
            if (burst < volume) {
                evidence.put("capped", "burst of " + burst + ", not " + volume + ": the slowest connection allows "
                        + slowest + "/s within the budget " + budget);
            }
            Instant deadline = from.plus(budget);
            List<String> late = new ArrayList<>();
            for (String event : events) {
                String status = awaitUntil(event, deadline);
                if (!"DONE".equals(status)) {
                    late.add(event + " " + status);
                }
            }
            Duration took = Duration.between(from, Instant.now(clock));
            Map<String, Integer> peaks = peaksPerSecond(traffic.since(from));
            Map<String, Integer> effects = effects(from, marker);
            evidence.put("events", burst);
            evidence.put("effects", effects.values().stream().mapToInt(Integer::intValue).sum());
            evidence.put("tookMs", took.toMillis());
            evidence.put("peakRequestsPerSecond", peaks);
            List<String> problems = new ArrayList<>();
            if (!late.isEmpty()) {
                problems.add(late.size() + " of " + burst + " not DONE within the latency budget " + budget
                        + " (first: " + late.get(0) + ")");
            }
            Map<String, Double> limits = new TreeMap<>();
            peaks.forEach((system, peak) -> {
                double limit = limitOf(system);
                if (limit > 0) {
                    limits.put(system, limit);
                }
                if (limit > 0 && peak > Math.ceil(limit)) {
                    problems.add(system + " got " + peak + " requests within one second; its rate limit is " + limit
                            + "/s");
                }
            });
            evidence.put("rateLimits", limits);
            if (problems.isEmpty() && (peaks.isEmpty() || effects.isEmpty())) {
                return inconclusive(name, burst + " events DONE, but " + (peaks.isEmpty() ? "no system was called"
                        : "no system shows an effect of them") + ": nothing to hold to a rate limit; " + NO_EFFECT,
                        List.of(), evidence);
            }
            return problems.isEmpty()
                    ? passed(name, burst + " events DONE in " + took.toMillis() + " ms (budget " + budget + "); peak "
                            + "requests within one second " + peaks + ", rate limits " + limits + "/s", List.of(), evidence)
                    : failed(name, String.join("; ", problems), List.of(), evidence);
        }

        private CaseResult apiVolume(String name) {
            Route running = camel.getRoute(route.getRouteId());
            int calls = Math.min(volume, 200);
            int slow = 0;
            int failedCalls = 0;
            long worst = 0;
            for (int i = 0; i < calls; i++) {
                ApiIntegrationPaths.Answer answer = ApiIntegrationPaths.call(running, id, payload(next()));
                worst = Math.max(worst, answer.durationMs());
                slow += answer.durationMs() > budget.toMillis() ? 1 : 0;
                failedCalls += answer.status() >= 500 ? 1 : 0;
            }
            Map<String, Object> evidence = Map.of("calls", calls, "slowest", worst, "over-budget", slow, "5xx", failedCalls);
            return slow == 0 && failedCalls == 0
                    ? passed(name, calls + " calls answered, the slowest in " + worst + " ms (budget " + budget + ")",
                            List.of(), evidence)
                    : failed(name, slow + " calls over the budget " + budget + ", " + failedCalls + " answered 5xx",
                            List.of(), evidence);
        }

        // ---- helpers ------------------------------------------------------------------------

        private String next() {
            // Fixed width, so one instance's marker is never the start of another's.
            return marker + String.format("n%04d", ++sequence);
        }

        /**
         * The case's payload for {@code instance}: the card's first drill example with the marker
         * where it says {@code {drill}}, else one generated from the whole schema ({@link DrillPayloads}).
         */
        private ObjectNode payload(String instance) {
            JsonNode example = example();
            JsonNode base = example != null ? DrillPayloads.mark(example, instance)
                    : ingress.schemaOf(id).map(schema -> DrillPayloads.generate(schema, instance)).orElse(null);
            ObjectNode payload = base != null && base.isObject() ? (ObjectNode) base : json.createObjectNode();
            if (settings.trigger() == Trigger.API) {
                for (String field : pathParameters()) {
                    payload.put(field, field.toLowerCase(Locale.ROOT).contains("email")
                            ? instance + "@drills.jacquard.io" : instance + "-" + field);
                }
            }
            return payload;
        }

        /** The card's first drill example, or null. */
        private JsonNode example() {
            List<String> examples = settings.drill().examples();
            if (examples.isEmpty()) {
                return null;
            }
            try {
                return json.readTree(examples.get(0));
            } catch (JsonProcessingException unreadable) {
                throw new IllegalStateException("the card's drill example is not JSON: " + unreadable.getOriginalMessage());
            }
        }

        /** Why the drill's payload cannot be sent (the schema refuses it), or null. */
        private String payloadProblem() {
            try {
                ingress.checkPayload(id, json.writeValueAsBytes(payload(next())));
                return null;
            } catch (WebhookRejection refused) {
                return refused.title() + ": " + refused.getMessage();
            } catch (IllegalStateException | JsonProcessingException unreadable) {
                return unreadable.getMessage();
            }
        }

        private List<String> pathParameters() {
            String uri = route.getInput() == null ? "" : route.getInput().getUri();
            List<String> names = new ArrayList<>();
            Matcher m = Pattern.compile("\\{([^}]+)}").matcher(uri);
            while (m.find()) {
                names.add(m.group(1));
            }
            return names;
        }

        private String send(String instance, ObjectNode payload) {
            InboxStore.Accepted accepted = inbox.acceptTest(id, "drill-" + instance, text(payload == null
                    ? payload(instance) : payload), "drill");
            signal.wake(id);
            return accepted.eventId();
        }

        private String runNow() {
            String event = inbox.startRun(id, "drill").eventId();
            signal.wake(id);
            return event;
        }

        private String text(JsonNode payload) {
            try {
                return json.writeValueAsString(payload);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }

        private String await(String event, Map<String, Object> evidence) {
            String status = awaitUntil(event, Instant.now(clock).plus(deadline));
            evidence.putIfAbsent("steps", jdbc.queryForList("select step from event_step where event_id = ? order by id",
                    String.class, event));
            return status;
        }

        private String awaitUntil(String event, Instant deadline) {
            String status = null;
            while (Instant.now(clock).isBefore(deadline)) {
                status = jdbc.queryForObject("select status from event where id = ?", String.class, event);
                if (FINAL.contains(status)) {
                    return status;
                }
                pause(100);
            }
            return status + " when the case stopped waiting";
        }

        private String lastError(String event) {
            return jdbc.queryForObject("select last_error from event where id = ?", String.class, event);
        }

        /** The systems' effects (writes carried out) whose body names {@code instance}, by system and path. */
        private Map<String, Integer> effects(Instant from, String instance) {
            // The journal commits DONE after the last call; a call's log entry is written when it answers.
            Map<String, Integer> effects = new TreeMap<>();
            for (Call call : traffic.since(from)) {
                if (call.isEffect() && call.mentions(instance)) {
                    effects.merge(call.system() + " " + call.method() + " " + call.path(), 1, Integer::sum);
                }
            }
            return effects;
        }

        private Map<String, Integer> peaksPerSecond(List<Call> calls) {
            Map<String, List<Instant>> bySystem = new TreeMap<>();
            for (Call call : calls) {
                if (!"oauth".equals(call.system())) {
                    bySystem.computeIfAbsent(call.system(), s -> new ArrayList<>()).add(call.at());
                }
            }
            Map<String, Integer> peaks = new TreeMap<>();
            bySystem.forEach((system, times) -> peaks.put(system, peakWithinOneSecond(times)));
            return peaks;
        }

        /** Every connection's {@code rate-limit} toward the system (its lowest), not only the route's; 0: none. */
        private double limitOf(String system) {
            return connections.all().stream().filter(c -> system.equals(systemOfUrl(c.baseUrl())))
                    .mapToDouble(c -> c.settings().rateLimit()).filter(rate -> rate > 0).min().orElse(0);
        }

        private List<String> calledWith(Predicate<AuthType> type) {
            return RouteCalls.connections(route).stream()
                    .filter(name -> type.test(connections.get(name).settings().auth().type())).sorted().toList();
        }

        /** The connection the route calls first, by the order of its steps. */
        private String firstCalled() {
            return RouteCalls.connections(route).stream().findFirst().orElse(null);
        }

        private String systemOf(String connection) {
            return systemOfUrl(connections.get(connection).baseUrl());
        }

        private String systemOfUrl(String url) {
            String sandbox = environment.getProperty("switchboard.sandbox.base-url", "");
            String rest = url.startsWith(sandbox) ? url.substring(sandbox.length()) : url;
            rest = rest.startsWith("/") ? rest.substring(1) : rest;
            int slash = rest.indexOf('/');
            return slash < 0 ? rest : rest.substring(0, slash);
        }

        /** A first event, so the tokens exist before the case expires them. */
        private void warmUp() {
            await(send(next(), null), new LinkedHashMap<>());
        }

        /** After the revoked client is restored: calls fail fast for the cool-down, then pass again. */
        private void recoverFrom(String connection) {
            Duration cooldown = connections.get(connection).settings().credentialsCooldown();
            Instant until = Instant.now(clock).plus(cooldown).plusMillis(200);
            while (Instant.now(clock).isBefore(until)) {
                pause(100);
            }
        }

        private void pause(long millis) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("drill interrupted", e);
            }
        }

        private CaseResult passed(String name, String reason, List<String> events, Map<String, Object> evidence) {
            return new CaseResult(name, Outcome.PASSED, reason, events, evidence);
        }

        private CaseResult failed(String name, String reason, List<String> events, Map<String, Object> evidence) {
            return new CaseResult(name, Outcome.FAILED, reason, events, evidence);
        }

        private CaseResult skipped(String name, String reason) {
            return new CaseResult(name, Outcome.SKIPPED, reason, List.of(), Map.of());
        }

        private CaseResult inconclusive(String name, String reason, List<String> events, Map<String, Object> evidence) {
            return new CaseResult(name, Outcome.INCONCLUSIVE, reason, events, evidence);
        }

        /** Why a case that compares effects with the normal case's cannot judge: it saw none. */
        private static final String NO_EFFECT = "no effect to compare: give the card a drill example that reaches "
                + "the route's calls";
    }
}
