package io.switchboard.drill;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.alerting.Alerts;
import io.switchboard.connect.Connection;
import io.switchboard.connect.Connections;
import io.switchboard.connect.ConnectionsProperties;
import io.switchboard.connect.SystemClients;
import io.switchboard.inbox.InboxSignal;
import io.switchboard.inbox.InboxStore;
import io.switchboard.ingress.WebhookIngress;
import io.switchboard.integration.IntegrationsProperties.Integration;
import io.switchboard.integration.IntegrationsProperties;
import io.switchboard.integration.RouteCalls;
import io.switchboard.integration.Trigger;
import io.switchboard.journal.ClusterNodes;
import io.switchboard.sandbox.SandboxFaultControl;
import io.switchboard.sandbox.SandboxTraffic;
import org.apache.camel.CamelContext;
import org.apache.camel.model.Model;
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
 * expired and revoked credential, permission, outage, volume; {@link DrillCases}, one class
 * each behind {@link DrillCase}), derived from its card, schema,
 * trigger and the connections its route calls, run against the sandbox (and, for a database, mail
 * server, folder or broker, a test double of the drill's own: {@link DrillDoubles}) on the live server with
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
    private final CamelContext camel;
    private final Connections connections;
    private final ConnectionsProperties connectionSettings;
    private final SystemClients systems;
    private final Clock clock;
    private final Environment environment;
    private final ObjectProvider<SandboxTraffic> traffic;
    private final ObjectProvider<SandboxFaultControl> faults;
    private final ClusterNodes nodes;
    private final DrillStore store;
    private final DrillCleanup cleanup;
    private final DrillContext.Services services;
    private final Set<String> running = ConcurrentHashMap.newKeySet();
    private final ExecutorService runner = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "drills");
        thread.setDaemon(true);
        return thread;
    });

    Drills(IntegrationsProperties integrations, WebhookIngress ingress, InboxStore inbox, InboxSignal signal,
            CamelContext camel, Connections connections, ConnectionsProperties connectionSettings, SystemClients systems,
            Alerts alerts, JdbcTemplate jdbc, ObjectMapper json, Clock clock, Environment environment,
            ObjectProvider<SandboxTraffic> traffic, ObjectProvider<SandboxFaultControl> faults, ClusterNodes nodes,
            DrillStore store, DrillCleanup cleanup, @Value("${switchboard.drills.volume:500}") int volume) {
        this.integrations = integrations;
        this.camel = camel;
        this.connections = connections;
        this.connectionSettings = connectionSettings;
        this.systems = systems;
        this.clock = clock;
        this.environment = environment;
        this.traffic = traffic;
        this.faults = faults;
        this.nodes = nodes;
        this.store = store;
        this.cleanup = cleanup;
        this.services = new DrillContext.Services(integrations, ingress, inbox, signal, camel, connections,
                connectionSettings, alerts, systems.doubles(), jdbc, json, clock, environment, volume);
    }

    /**
     * Starts the integration's drill in the background; the answer is its running record.
     *
     * @throws Refused 404 unknown integration, 409 a drill of it runs already, or a connection its
     *                 routes call is neither served by the sandbox nor has a test double
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
        // Every route the integration owns (its main route's direct: parts too): a drill must
        // reach no real system through any of them.
        Model model = camel.getCamelContextExtension().getContextPlugin(Model.class);
        Set<String> called = new TreeSet<>();
        model.getRouteDefinitions().stream()
                .filter(r -> r == route || integrations.ownerOfRoute(r.getRouteId()).filter(integration::equals).isPresent())
                .forEach(r -> called.addAll(RouteCalls.connections(r)));
        List<String> doubled = new ArrayList<>();
        for (String name : called) {
            Connection connection = connections.find(name).orElse(null);
            ConnectionsProperties.Connection system = connectionSettings.connections().get(name);
            if (connection == null && system != null) {
                // A database, mail server, folder or broker: the drill's events call a test double instead.
                String missing = DrillDoubles.missing(name, system);
                if (missing != null) {
                    throw new Refused(409, "Connection " + name + " (" + system.kind().label() + ") has no test "
                            + "double: " + missing + ". A drill would act on the real system, so " + integration
                            + " is not drilled.");
                }
                doubled.add(name);
                continue;
            }
            if (connection == null) {
                throw new Refused(409, "Connection " + name + " is not an HTTP connection the sandbox can stand in "
                        + "for: a drill would act on the real system, so " + integration + " is not drilled.");
            }
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
        DrillResult started = new DrillResult(UUID.randomUUID().toString(), integration, "running", requestedBy,
                Instant.now(clock), null, digest(route), List.of());
        try {
            store.started(started);
        } catch (RuntimeException storage) {
            running.remove(integration);
            throw storage;
        }
        runner.submit(() -> {
            DrillContext drill = null;
            try {
                drill = new DrillContext(integration, settings, route, log, control, services);
                drill.doubles = DrillDoubles.start(doubled, connectionSettings, systems.doubles(), drill.marker);
                List<CaseResult> cases = run(drill);
                // Cleaned up before the verdict is stored: a finished drill has left nothing behind.
                DrillContext cleaned = drill;
                drill = null;
                cleanUp(started, cleaned);
                finish(started, cases);
            } catch (RuntimeException broken) {
                cleanUp(started, drill);
                log(started, broken);
            } finally {
                running.remove(integration);
            }
        });
        return started;
    }

    /** The integration's last drill, if any. */
    public Optional<DrillResult> last(String integration) {
        return store.last(integration);
    }

    /** The digest of the integration's route file now: a drill of another digest did not drill this version. */
    public Optional<String> currentDigest(String integration) {
        return Optional.ofNullable(routeOf(integration)).map(this::digest);
    }

    /** Every integration's last drill, in one query (the console asks on every poll). */
    public Map<String, DrillResult> lastOfEach() {
        return store.lastOfEach();
    }

    private void finish(DrillResult started, List<CaseResult> cases) {
        Outcome verdict = Outcome.verdict(cases.stream().map(CaseResult::outcome).toList());
        store.finished(started.drillId(), verdict, cases);
        log.info("drill of {}: {} ({})", started.integration(), verdict.word(),
                cases.stream().map(c -> c.name() + " " + c.outcome().word()).toList());
    }

    /** Nothing the drill sent or set off is left waiting or parked, whatever became of the drill. */
    private void cleanUp(DrillResult started, DrillContext drill) {
        if (drill == null) {
            return;
        }
        try {
            log.info("drill of {} cleaned up: {}", started.integration(), cleanup.after(drill));
        } catch (RuntimeException broken) {
            log.warn("drill of {}: its cleanup broke off: {}", started.integration(), broken.toString());
        } finally {
            // After the cleanup: an event still in flight then called its double, not the real system.
            drill.doubles.close();
        }
    }

    private void log(DrillResult started, RuntimeException broken) {
        log.warn("drill of {} broke off: {}", started.integration(), broken.toString());
        store.brokeOff(started.drillId(), broken);
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

    @Override
    public void destroy() {
        runner.shutdownNow();
    }

    /** The cases in the registry's order, against the sandbox, faults cleared before and after each. */
    private List<CaseResult> run(DrillContext drill) {
        // Faults a crashed drill (or a person) left behind would meet the first case's calls.
        drill.faults.clear();
        Trigger trigger = drill.settings.trigger();
        if (trigger == Trigger.WEBHOOK || trigger == Trigger.EVENT) {
            String problem = drill.payloadProblem();
            if (problem != null) {
                return unsendable(drill, problem);
            }
        }
        List<CaseResult> cases = new ArrayList<>();
        for (DrillCase drillCase : DrillCases.ALL) {
            try {
                cases.add(drillCase.run(drill));
            } catch (RuntimeException broken) {
                cases.add(new CaseResult(drillCase.name(), Outcome.FAILED, "the case broke off: " + broken, List.of(),
                        Map.of()));
            } finally {
                drill.faults.clear();
            }
        }
        return cases;
    }

    /** No case can run on a payload the schema refuses: a card's example is wrong, a generated one a blind spot. */
    private static List<CaseResult> unsendable(DrillContext drill, String problem) {
        boolean example = drill.example() != null;
        String reason = (example ? "the card's drill example" : "the payload generated from the schema")
                + " does not match the schema (" + problem + ")";
        List<CaseResult> cases = new ArrayList<>();
        for (DrillCase drillCase : DrillCases.ALL) {
            cases.add(drillCase instanceof NormalCase
                    ? new CaseResult(drillCase.name(), example ? Outcome.FAILED : Outcome.INCONCLUSIVE,
                            reason + (example ? "" : ": give the card a drill example"), List.of(), Map.of())
                    : drill.inconclusive(drillCase.name(), "not run: " + reason, List.of(), Map.of()));
        }
        return cases;
    }
}
