package io.switchboard.files;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import io.switchboard.connect.ConnectionsProperties;
import io.switchboard.connect.ConnectionsProperties.Connection;
import io.switchboard.connect.ConnectionsProperties.ConnectionKind;
import io.switchboard.inbox.InboxSignal;
import io.switchboard.inbox.InboxStore;
import io.switchboard.integration.IntegrationsProperties;
import io.switchboard.integration.IntegrationsProperties.Integration;
import io.switchboard.integration.Trigger;
import io.switchboard.source.SourceIntake;
import io.switchboard.source.SourceOutages;
import io.switchboard.source.SourcePause;
import io.switchboard.source.SourceRoutes;
import io.switchboard.source.SourceTriggers;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.util.URISupport;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Reads the folder of every integration with {@code trigger: file}, under the {@code file}
 * connection its card's {@code source} names: one platform route {@code source-<id>} per
 * integration, from camel-file's consumer to {@link SourceIntake}. The route still starts at
 * {@code inbox:<id>}. camel-file moves a file to {@code .done} only when its exchange completed,
 * that is after the inbox commit; when the exchange failed it leaves the file where it was (no
 * {@code moveFailed}), so a later poll takes it again. Checked at start: a file card names a file
 * connection, a folder inside it and a valid {@code include} pattern; when the trigger runs, the
 * folder must exist. A card added or removed while the server runs starts or stops its route
 * ({@link SourceTriggers}). {@code switchboard.files.enabled: false} keeps this node off the folders.
 */
@Component
class FileTriggers extends SourceTriggers {

    static final String DONE = ".done";

    private final ConnectionsProperties connections;
    private final Duration delay;
    private final Duration backOff;
    private final Duration readLockCheckInterval;
    private final int maxPerPoll;

    FileTriggers(IntegrationsProperties integrations, ConnectionsProperties connections, InboxStore inbox,
            InboxSignal signal, SourceOutages outages, @Value("${switchboard.files.enabled:true}") boolean enabled,
            @Value("${switchboard.files.delay:5s}") Duration delay,
            @Value("${switchboard.files.back-off:30s}") Duration backOff,
            @Value("${switchboard.files.read-lock-check-interval:1s}") Duration readLockCheckInterval,
            @Value("${switchboard.files.max-messages-per-poll:100}") int maxPerPoll) {
        super(integrations, Trigger.FILE, enabled, inbox, signal, outages);
        this.connections = connections;
        this.delay = delay;
        this.backOff = backOff;
        this.readLockCheckInterval = readLockCheckInterval;
        this.maxPerPoll = maxPerPoll;
        checkCards();
    }

    @Override
    protected void check(String id, Integration integration) {
        folderOf(id, integration);
    }

    /** The folder the card reads; throws a message naming what to fix when the card or the connection is wrong. */
    Path folderOf(String id, Integration integration) {
        String at = "switchboard.integrations." + id + ".source";
        Connection connection = connectionOf(id, integration, connections, EnumSet.of(ConnectionKind.FILE),
                "{connection: <a file connection>, folder: <a folder under its path>, include: <a file name pattern>}",
                "kind: file, path: <the folder>");
        if (blank(connection.path())) {
            throw new IllegalStateException(at + ".connection names '" + integration.source().connection()
                    + "', a file connection without a path (kind: file, path: <the folder>)");
        }
        Path root = Path.of(connection.path()).toAbsolutePath().normalize();
        String sub = integration.source().folder();
        Path folder = blank(sub) ? root : root.resolve(sub).normalize();
        if (!folder.startsWith(root)) {
            throw new IllegalStateException(at + ".folder '" + sub + "' leaves the connection's path " + root
                    + ": name a folder under it");
        }
        String include = integration.source().include();
        if (!blank(include)) {
            try {
                Pattern.compile(include);
            } catch (PatternSyntaxException wrong) {
                throw new IllegalStateException(at + ".include '" + include + "' is not a regular expression: "
                        + wrong.getDescription() + " (e.g. '.*\\.json' for the JSON files)");
            }
        }
        return folder;
    }

    /** The route {@code source-<id>}: camel-file's consumer on the card's folder, which must exist. */
    @Override
    protected void source(RouteBuilder routes, String id, Integration integration) {
        Path folder = folderOf(id, integration);
        if (!Files.isDirectory(folder)) {
            throw new IllegalStateException("switchboard.integrations." + id + ".source: the folder " + folder
                    + " does not exist; create it (the partner drops files there) or correct the connection's path "
                    + "and the card's folder");
        }
        SourceIntake intake = intake(id, exchange -> exchange.getProperty(FileToEvent.DELIVERY_ID, String.class),
                FileTriggers::headers);
        routes.from(uri(folder, integration.source().include())).routeId(SourceRoutes.routeId(id))
                .routeDescription("Stores each file dropped in " + folder + " as an event of " + id
                        + ", then moves it to " + DONE)
                .routePolicy(SourcePause.after(backOff))
                .process(new FileToEvent())
                .process(intake);
    }

    /** camel-file's consumer options; each is set, not left to a default, because each decides when a file counts as taken. */
    String uri(Path folder, String include) {
        Map<String, Object> options = new LinkedHashMap<>();
        if (!blank(include)) {
            // RAW: a regular expression's + and % must reach camel-file as written.
            options.put("include", "RAW(" + include + ")");
        }
        // Moved on commit only, i.e. after the inbox commit; on a failure the file stays (no moveFailed).
        options.put("move", DONE);
        // Wait until the writer is done: size and modification time unchanged for a check interval.
        // With the marker file (on by default) a second node on the same folder skips a file this
        // one holds; the inbox's delivery id catches the rest (two nodes storing it is one event).
        options.put("readLock", "changed");
        options.put("readLockCheckInterval", readLockCheckInterval.toMillis());
        // Without a minimum age the changed lock sleeps one check interval for every file, even one
        // written long ago: about one file a second, whatever the backlog. With it, a file not
        // modified for a check interval is taken at once; a newer one is watched as before.
        options.put("readLockMinAge", readLockCheckInterval.toMillis());
        options.put("readLockTimeout", Math.max(10_000, readLockCheckInterval.toMillis() * 10));
        options.put("readLockMarkerFile", true);
        options.put("autoCreate", false);
        options.put("recursive", false);
        options.put("sortBy", "file:modified");
        options.put("maxMessagesPerPoll", maxPerPoll);
        options.put("delay", delay.toMillis());
        return "file:" + folder + "?" + URISupport.createQueryString(options);
    }

    private static Map<String, String> headers(Exchange exchange) {
        @SuppressWarnings("unchecked")
        Map<String, String> headers = exchange.getProperty(FileToEvent.HEADERS, Map.class);
        return headers;
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
