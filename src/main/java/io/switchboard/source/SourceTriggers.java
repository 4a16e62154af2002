package io.switchboard.source;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.switchboard.connect.ConnectionsProperties;
import io.switchboard.connect.ConnectionsProperties.Connection;
import io.switchboard.connect.ConnectionsProperties.ConnectionKind;
import io.switchboard.inbox.InboxSignal;
import io.switchboard.inbox.InboxStore;
import io.switchboard.integration.CardChanged;
import io.switchboard.integration.IntegrationsProperties;
import io.switchboard.integration.IntegrationsProperties.Integration;
import io.switchboard.integration.Trigger;
import io.switchboard.logging.OneLine;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;

/**
 * The platform routes of one trigger kind that Camel reads ({@code outbox}, {@code mailbox},
 * {@code file}): one route {@code source-<id>} per integration of that kind, checked and made at
 * start, and, when a card is added, changed or removed while the server runs (the dev profile's
 * reload, {@link CardChanged}), made, remade or removed without a restart. A card change that
 * leaves its trigger and source as they were leaves the route running. {@link #connectionOf} is
 * the check every source card starts with, the queue trigger's included.
 * <p>
 * Every source route runs without an error handler: the shared dead-letter channel would mark a
 * failed store handled and the component would take the item as stored ({@link SourceRoutes}).
 */
public abstract class SourceTriggers extends RouteBuilder {

    private static final Logger log = LoggerFactory.getLogger(SourceTriggers.class);

    private final IntegrationsProperties integrations;
    private final Trigger trigger;
    private final boolean enabled;
    private final InboxStore inbox;
    private final InboxSignal signal;
    private final SourceOutages outages;
    /** What each running source route was made from: a changed card remakes it only when this changed. */
    private final Map<String, IntegrationsProperties.Source> running = new ConcurrentHashMap<>();

    /**
     * @param enabled false keeps this node off the kind's systems: no route at start, none on a reload
     * @param inbox   where {@link #intake} stores each item; {@code signal} wakes its consumers,
     *                {@code outages} keeps one alert per outage
     */
    protected SourceTriggers(IntegrationsProperties integrations, Trigger trigger, boolean enabled, InboxStore inbox,
            InboxSignal signal, SourceOutages outages) {
        this.integrations = integrations;
        this.trigger = trigger;
        this.enabled = enabled;
        this.inbox = inbox;
        this.signal = signal;
        this.outages = outages;
    }

    /** The last step of every source route: stores the item as an event of {@code id}, or fails the exchange. */
    protected final SourceIntake intake(String id, Function<Exchange, String> deliveryId,
            Function<Exchange, Map<String, String>> headers) {
        return new SourceIntake(id, deliveryId, headers, inbox, signal, outages);
    }

    /**
     * The connection a source card names, of one of {@code kinds}; throws a message naming what
     * to fix, in the card's {@code source} or under {@code switchboard.connections}.
     *
     * @param needs   the source such a card needs, e.g. {@code {connection: <a file connection>, folder: ...}}
     * @param declare how a connection it can read is declared, e.g. {@code kind: file, path: <the folder>}
     */
    public static Connection connectionOf(String id, Integration integration, ConnectionsProperties connections,
            Set<ConnectionKind> kinds, String needs, String declare) {
        String at = "switchboard.integrations." + id + ".source";
        String trigger = withArticle(integration.trigger().name().toLowerCase(Locale.ROOT));
        if (integration.source() == null || blank(integration.source().connection())) {
            throw new IllegalStateException(at + " is missing: " + trigger + " integration needs source: " + needs);
        }
        String name = integration.source().connection();
        Connection connection = connections.connections().get(name);
        if (connection == null) {
            throw new IllegalStateException(at + ".connection names '" + name + "', which is not declared under "
                    + "switchboard.connections (" + declare + ")");
        }
        if (!kinds.contains(connection.kind())) {
            String readable = kinds.stream().map(ConnectionKind::label).collect(Collectors.joining(", "))
                    .replaceFirst(", ([a-z]+)$", " or $1");
            throw new IllegalStateException(at + ".connection names '" + name + "', "
                    + withArticle(connection.kind().label()) + " connection; " + trigger + " trigger reads "
                    + withArticle(readable) + " connection (" + declare + ")");
        }
        return connection;
    }

    private static String withArticle(String word) {
        return ("aeiou".indexOf(word.charAt(0)) >= 0 ? "an " : "a ") + word;
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }

    /** Checks every card of this kind as a start must; the subclass calls it once its own fields are set. */
    protected final void checkCards() {
        integrations.all().forEach((id, integration) -> {
            if (integration.trigger() == trigger) {
                check(id, integration);
            }
        });
    }

    /** Throws a message naming what to fix when the card, or the connection it names, is wrong. */
    protected abstract void check(String id, Integration integration);

    /**
     * Adds the route {@link SourceRoutes#routeId source-<id>} to {@code routes}, checking what
     * only a running trigger needs (a folder that exists).
     */
    protected abstract void source(RouteBuilder routes, String id, Integration integration);

    private String kind() {
        return trigger.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public final void configure() {
        errorHandler(noErrorHandler());
        if (!enabled) {
            return;
        }
        integrations.all().forEach((id, integration) -> {
            if (integration.trigger() == trigger) {
                source(this, id, integration);
                running.put(id, integration.source());
            }
        });
    }

    /**
     * A card of this kind came, went or changed its source while the server runs. A card that
     * cannot run (a wrong connection, a missing folder) is logged and its source stays stopped
     * until a good card comes; the card itself was already accepted by the reload.
     */
    @EventListener
    public synchronized void cardChanged(CardChanged changed) {
        String id = changed.integration();
        if (!enabled || getContext() == null) {
            return;
        }
        Optional<Integration> now = integrations.find(id).filter(integration -> integration.trigger() == trigger);
        String routeId = SourceRoutes.routeId(id);
        boolean exists = getContext().getRoute(routeId) != null;
        if (exists && now.isPresent() && Objects.equals(running.get(id), now.get().source())) {
            return;
        }
        try {
            if (exists) {
                // Stopped gracefully: an item being stored finishes, and is acknowledged, first.
                getContext().getRouteController().stopRoute(routeId);
                getContext().removeRoute(routeId);
                running.remove(id);
                log.info("{} source of integration '{}' stopped: its card {}", kind(), id,
                        now.isPresent() ? "changed its source" : "is gone or no longer reads one");
            }
            if (now.isPresent()) {
                Integration integration = now.get();
                check(id, integration);
                getContext().addRoutes(new RouteBuilder() {
                    @Override
                    public void configure() {
                        errorHandler(noErrorHandler());
                        source(this, id, integration);
                    }
                });
                running.put(id, integration.source());
                log.info("{} source of integration '{}' started from its new card", kind(), id);
            }
        } catch (Exception refused) {
            log.error("{} source of integration '{}' not started, fix its card: {}", kind(), id,
                    OneLine.escape(String.valueOf(refused.getMessage())));
        }
    }
}
