package io.switchboard.drill;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.alerting.Alerts;
import io.switchboard.connect.Connections;
import io.switchboard.connect.ConnectionsProperties;
import io.switchboard.connect.ConnectionsProperties.AuthType;
import io.switchboard.connect.SystemDoubles;
import io.switchboard.drill.Drills.CaseResult;
import io.switchboard.inbox.InboxSignal;
import io.switchboard.inbox.InboxStore;
import io.switchboard.ingress.WebhookIngress;
import io.switchboard.ingress.WebhookRejection;
import io.switchboard.integration.IntegrationsProperties;
import io.switchboard.integration.IntegrationsProperties.Integration;
import io.switchboard.integration.RouteCalls;
import io.switchboard.integration.Trigger;
import io.switchboard.sandbox.SandboxFaultControl;
import io.switchboard.sandbox.SandboxTraffic;
import io.switchboard.sandbox.SandboxTraffic.Call;
import org.apache.camel.CamelContext;
import org.apache.camel.model.Model;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.RouteDefinition;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * One drill run's state and what its cases share: the integration, its route and card, the
 * sandbox's request log and faults, the test doubles of its other connections, the drill's marker (every payload carries it, so the log
 * tells the drill's effects from anyone else's), and the helpers that send events, wait for
 * them and read their effects.
 */
final class DrillContext {

    /** Why a case that compares effects with the normal case's cannot judge: it saw none. */
    static final String NO_EFFECT = "no effect to compare: give the card a drill example that reaches the route's "
            + "calls";
    private static final Set<String> FINAL = Set.of("DONE", "DEAD", "DUPLICATE", "WAITING");

    final String id;
    final Integration settings;
    final RouteDefinition route;
    final SandboxTraffic traffic;
    final SandboxFaultControl faults;
    final String marker = "drill" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    final Duration budget;
    /** How long one event of a case may take: a minute, and room for its first three retries. */
    final Duration deadline;
    /** Events of a volume burst (switchboard.drills.volume). */
    final int volume;
    final IntegrationsProperties integrations;
    final WebhookIngress ingress;
    final InboxStore inbox;
    final InboxSignal signal;
    final CamelContext camel;
    final Connections connections;
    final Alerts alerts;
    final JdbcTemplate jdbc;
    final ObjectMapper json;
    final Clock clock;
    final Environment environment;
    int sequence;
    /** When each instance ({@link #next()}) was made, by its sequence number less one. */
    private final List<Instant> issued = new ArrayList<>();
    /** When the drill started: what its events emitted is received after it. */
    final Instant startedAt;
    /** The scheduled runs the drill started, for its cleanup ({@link DrillCleanup}). */
    final List<String> runs = new ArrayList<>();
    /** What the normal case's event wrote, by system and path; null until it ran. */
    Map<String, Integer> normalEffects;
    /** What stands in for the connections that are not HTTP while the drill runs. */
    DrillDoubles doubles = DrillDoubles.none();
    final ConnectionsProperties connectionSettings;
    /** Where the doubles stand in, and the calls each took. */
    final SystemDoubles systems;

    /** The services a drill uses, as one value. */
    record Services(IntegrationsProperties integrations, WebhookIngress ingress, InboxStore inbox, InboxSignal signal,
            CamelContext camel, Connections connections, ConnectionsProperties connectionSettings, Alerts alerts,
            SystemDoubles systems, JdbcTemplate jdbc, ObjectMapper json, Clock clock, Environment environment,
            int volume) {
    }

    DrillContext(String id, Integration settings, RouteDefinition route, SandboxTraffic traffic,
            SandboxFaultControl faults, Services services) {
        this.id = id;
        this.settings = settings;
        this.route = route;
        this.traffic = traffic;
        this.faults = faults;
        this.integrations = services.integrations();
        this.ingress = services.ingress();
        this.inbox = services.inbox();
        this.signal = services.signal();
        this.camel = services.camel();
        this.connections = services.connections();
        this.connectionSettings = services.connectionSettings();
        this.systems = services.systems();
        this.alerts = services.alerts();
        this.jdbc = services.jdbc();
        this.json = services.json();
        this.clock = services.clock();
        this.environment = services.environment();
        this.volume = services.volume();
        this.startedAt = Instant.now(clock);
        this.budget = settings.card() != null && settings.card().latencyBudget() != null
                ? settings.card().latencyBudget() : Duration.ofMinutes(5);
        IntegrationsProperties.Inbox inbox = settings.inbox() == null ? IntegrationsProperties.Inbox.DEFAULT
                : settings.inbox();
        // The first three retries' longest delays (1 + 2 + 4 s by default), not three times the
        // longest delay: that is an hour by default, and a stuck case would hold the drills'
        // one runner, every other integration's drill queued behind it, for three hours.
        Duration retries = Duration.ZERO;
        for (int doubling = 1; doubling <= 4; doubling *= 2) {
            Duration delay = inbox.retryDelay().multipliedBy(doubling);
            retries = retries.plus(delay.compareTo(inbox.maxRetryDelay()) < 0 ? delay : inbox.maxRetryDelay());
        }
        this.deadline = Duration.ofSeconds(60).plus(retries);
    }

    /**
     * A fault case judges what the route's calls did with the fault: when the normal case's
     * payload reached no call (no effect), the fault would meet nothing and prove nothing. Null
     * when the case can run.
     */
    CaseResult unreached(String name) {
        return normalEffects != null && normalEffects.isEmpty() && !called().isEmpty()
                ? inconclusive(name, NO_EFFECT, List.of(), Map.of("normalEffects", normalEffects))
                : null;
    }

    /**
     * Why a credential or permission case cannot judge this integration: an api call or a
     * scheduled run (skipped, with the reason), or a payload that reached no call
     * (inconclusive); null when the case can run.
     */
    CaseResult cannotMeetACredentialFault(String name) {
        if (settings.trigger() == Trigger.API) {
            return skipped(name, apiFaultSkip());
        }
        if (settings.trigger() == Trigger.SCHEDULE) {
            return skipped(name, scheduledFaultSkip());
        }
        return unreached(name);
    }

    /** Why an api integration's fault cases are skipped. */
    String apiFaultSkip() {
        return "an api call stores no event to retry or park: the caller gets what failed in the answer at once; "
                + calling();
    }

    /** Whether a step of the route writes to a connection (a call other than GET). */
    boolean writes() {
        return !written().isEmpty();
    }

    /** The integration's routes: the drilled one and those it owns ({@code customer-lookup-crm}). */
    List<RouteDefinition> ownRoutes() {
        List<RouteDefinition> own = new ArrayList<>(List.of(route));
        camel.getCamelContextExtension().getContextPlugin(Model.class).getRouteDefinitions().stream()
                .filter(r -> r != route && integrations.ownerOfRoute(r.getRouteId()).filter(id::equals).isPresent())
                .forEach(own::add);
        return own;
    }

    /** The connections the integration's routes call, in order. */
    Set<String> called() {
        Set<String> called = new LinkedHashSet<>();
        ownRoutes().forEach(r -> called.addAll(RouteCalls.connections(r)));
        return called;
    }

    /** The connections a step of the integration's routes writes to (calls other than GET), in order. */
    Set<String> written() {
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
    String calling() {
        Set<String> called = called();
        return called.isEmpty() ? "its route calls no connection" : "its route calls " + called
                + (written().isEmpty() ? " to read only" : ", writing to " + written());
    }

    /**
     * Why a schedule's credential and scope cases are skipped, from what its route calls: a
     * run's calls depend on what its source holds when it runs, so a fault may meet no call.
     */
    String scheduledFaultSkip() {
        if (called().isEmpty()) {
            return "its route calls no connection: there is no credential or scope to fault";
        }
        return "a run of " + id + " makes only the calls its source's data at the time needs (" + calling()
                + "), and a run carries no marker to aim a fault at its own calls, so a credential or scope "
                + "fault may never be met; the route's own tests cover these";
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

    // ---- helpers ------------------------------------------------------------------------

    String next() {
        issued.add(Instant.now(clock));
        // Fixed width, so one instance's marker is never the start of another's.
        return marker + String.format("n%04d", ++sequence);
    }

    /**
     * The case's payload for {@code instance}: the card's first drill example with the marker
     * where it says {@code {drill}}, else one generated from the whole schema ({@link DrillPayloads}).
     */
    ObjectNode payload(String instance) {
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
    JsonNode example() {
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
    String payloadProblem() {
        try {
            ingress.checkPayload(id, json.writeValueAsBytes(payload(next())));
            return null;
        } catch (WebhookRejection refused) {
            return refused.title() + ": " + refused.getMessage();
        } catch (IllegalStateException | JsonProcessingException unreadable) {
            return unreadable.getMessage();
        }
    }

    List<String> pathParameters() {
        String uri = route.getInput() == null ? "" : route.getInput().getUri();
        List<String> names = new ArrayList<>();
        Matcher m = Pattern.compile("\\{([^}]+)}").matcher(uri);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    String send(String instance, ObjectNode payload) {
        InboxStore.Accepted accepted = inbox.acceptTest(id, "drill-" + instance, text(payload == null
                ? payload(instance) : payload), "drill");
        signal.wake(id);
        return accepted.eventId();
    }

    String runNow() {
        InboxStore.RunStart start = inbox.startTestRun(id, "drill");
        String event = start.eventId();
        if (!start.alreadyGoing()) {
            runs.add(event);
        }
        signal.wake(id);
        return event;
    }

    String text(JsonNode payload) {
        try {
            return json.writeValueAsString(payload);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    String await(String event, Map<String, Object> evidence) {
        String status = awaitUntil(event, Instant.now(clock).plus(deadline));
        evidence.putIfAbsent("steps", jdbc.queryForList("select step from event_step where event_id = ? order by id",
                String.class, event));
        return status;
    }

    String awaitUntil(String event, Instant deadline) {
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

    String lastError(String event) {
        return jdbc.queryForObject("select last_error from event where id = ?", String.class, event);
    }

    /**
     * The systems' effects (writes carried out) whose body names {@code instance}, by system and
     * path, and those the test doubles hold (rows, mails, files that name it). A scheduled run's
     * effects ({@code instance} empty) are the sandbox's only: a double's seed rows name nothing.
     */
    Map<String, Integer> effects(Instant from, String instance) {
        // The journal commits DONE after the last call; a call's log entry is written when it answers.
        Map<String, Integer> effects = new TreeMap<>();
        for (Call call : traffic.since(from)) {
            if (call.isEffect() && call.mentions(instance)) {
                effects.merge(call.system() + " " + call.method() + " " + call.path(), 1, Integer::sum);
            }
        }
        if (instance.equals(marker)) {
            // A double keeps what every case wrote: the drill's effects since then are its instances' since then.
            for (int i = 0; i < issued.size(); i++) {
                if (!issued.get(i).isBefore(from)) {
                    doubles.effects(marker + String.format("n%04d", i + 1)).forEach((what, n) ->
                            effects.merge(what, n, Integer::sum));
                }
            }
        } else if (!instance.isEmpty()) {
            effects.putAll(doubles.effects(instance));
        }
        return effects;
    }

    /** The most calls within one second each double took since {@code from}, by connection. */
    Map<String, Integer> doublePeaksPerSecond(Instant from) {
        Map<String, Integer> peaks = new TreeMap<>();
        for (DrillDouble standIn : doubles.all()) {
            List<Instant> times = systems.callTimes(standIn.connection()).stream().filter(t -> !t.isBefore(from))
                    .toList();
            if (!times.isEmpty()) {
                peaks.put(standIn.connection(), peakWithinOneSecond(times));
            }
        }
        return peaks;
    }

    /** A connection's declared rate limit, whatever its kind ({@code 0}: none). */
    double rateLimitOf(String connection) {
        return connections.find(connection).map(c -> c.settings().rateLimit())
                .orElseGet(() -> connectionSettings.connections().containsKey(connection)
                        ? connectionSettings.connections().get(connection).rateLimit() : 0);
    }

    Map<String, Integer> peaksPerSecond(List<Call> calls) {
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

    /**
     * Every connection's {@code rate-limit} toward the system (its lowest), not only the route's;
     * a double's system is its connection. 0: none.
     */
    double limitOf(String system) {
        if (doubles.has(system)) {
            return rateLimitOf(system);
        }
        return connections.all().stream().filter(c -> system.equals(systemOfUrl(c.baseUrl())))
                .mapToDouble(c -> c.settings().rateLimit()).filter(rate -> rate > 0).min().orElse(0);
    }

    /** The HTTP connections the route calls whose auth is of {@code type}. */
    List<String> calledWith(Predicate<AuthType> type) {
        return RouteCalls.connections(route).stream().filter(name -> connections.find(name).isPresent())
                .filter(name -> type.test(connections.get(name).settings().auth().type())).sorted().toList();
    }

    /** The HTTP connection (the sandbox stands in for) the route calls first, by the order of its steps. */
    String firstCalledHttp() {
        return RouteCalls.connections(route).stream().filter(name -> connections.find(name).isPresent()).findFirst()
                .orElse(null);
    }

    String systemOf(String connection) {
        return systemOfUrl(connections.get(connection).baseUrl());
    }

    String systemOfUrl(String url) {
        String sandbox = environment.getProperty("switchboard.sandbox.base-url", "");
        String rest = url.startsWith(sandbox) ? url.substring(sandbox.length()) : url;
        rest = rest.startsWith("/") ? rest.substring(1) : rest;
        int slash = rest.indexOf('/');
        return slash < 0 ? rest : rest.substring(0, slash);
    }

    /** A first event, so the tokens exist before the case expires them. */
    void warmUp() {
        await(send(next(), null), new LinkedHashMap<>());
    }

    void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("drill interrupted", e);
        }
    }

    CaseResult passed(String name, String reason, List<String> events, Map<String, Object> evidence) {
        return new CaseResult(name, Outcome.PASSED, reason, events, evidence);
    }

    CaseResult failed(String name, String reason, List<String> events, Map<String, Object> evidence) {
        return new CaseResult(name, Outcome.FAILED, reason, events, evidence);
    }

    CaseResult skipped(String name, String reason) {
        return new CaseResult(name, Outcome.SKIPPED, reason, List.of(), Map.of());
    }

    CaseResult inconclusive(String name, String reason, List<String> events, Map<String, Object> evidence) {
        return new CaseResult(name, Outcome.INCONCLUSIVE, reason, events, evidence);
    }


}
