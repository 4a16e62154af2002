package io.switchboard.mailbox;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import io.switchboard.connect.ConnectionsProperties;
import io.switchboard.connect.ConnectionsProperties.Connection;
import io.switchboard.connect.ConnectionsProperties.ConnectionKind;
import io.switchboard.inbox.InboxSignal;
import io.switchboard.inbox.InboxStore;
import io.switchboard.integration.IntegrationsProperties;
import io.switchboard.integration.IntegrationsProperties.Integration;
import io.switchboard.integration.Trigger;
import io.switchboard.source.QuietPolls;
import io.switchboard.source.SourceIntake;
import io.switchboard.source.SourceOutages;
import io.switchboard.source.SourcePause;
import io.switchboard.source.SourceRoutes;
import io.switchboard.source.SourceTriggers;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mail.MailEndpoint;
import org.apache.camel.util.URISupport;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Reads the IMAP folder of every integration with {@code trigger: mailbox}, on the {@code mail}
 * connection its card's {@code source} names: one platform route {@code source-<id>} per
 * integration, from camel-mail's IMAP consumer to {@link SourceIntake}. The route still starts
 * at {@code inbox:<id>}. The consumer reads unseen mails without flagging them (IMAP
 * {@code BODY.PEEK}); camel-mail flags a mail SEEN only when its exchange completed, that is
 * after the inbox commit, and leaves it unseen when the exchange failed, so the next poll reads
 * it again. Checked at start: a mailbox card names a mail connection with an imap(s) URL.
 * A card added or removed while the server runs starts or stops its route ({@link SourceTriggers}).
 * {@code switchboard.mailbox.enabled: false} keeps this node off the mail servers.
 */
@Component
class MailboxTriggers extends SourceTriggers {

    static final String DEFAULT_FOLDER = "INBOX";

    private final ConnectionsProperties connections;
    private final Duration delay;
    private final Duration backOff;
    private final int maxPerPoll;

    MailboxTriggers(IntegrationsProperties integrations, ConnectionsProperties connections, InboxStore inbox,
            InboxSignal signal, SourceOutages outages, @Value("${switchboard.mailbox.enabled:true}") boolean enabled,
            @Value("${switchboard.mailbox.delay:30s}") Duration delay,
            @Value("${switchboard.mailbox.back-off:30s}") Duration backOff,
            @Value("${switchboard.mailbox.max-messages-per-poll:20}") int maxPerPoll) {
        super(integrations, Trigger.MAILBOX, enabled, inbox, signal, outages);
        this.connections = connections;
        this.delay = delay;
        this.backOff = backOff;
        this.maxPerPoll = maxPerPoll;
        checkCards();
    }

    @Override
    protected void check(String id, Integration integration) {
        mailConnectionOf(id, integration);
    }

    /** The card's mail connection; throws a message naming what to fix when the card or the connection is wrong. */
    private Connection mailConnectionOf(String id, Integration integration) {
        Connection connection = connectionOf(id, integration, connections, EnumSet.of(ConnectionKind.MAIL),
                "{connection: <a mail connection>, folder: <the IMAP folder, default INBOX>}",
                "kind: mail, url: imaps://host:993, username, password");
        String scheme = scheme(connection.url());
        if (!"imap".equals(scheme) && !"imaps".equals(scheme)) {
            throw new IllegalStateException("switchboard.connections." + integration.source().connection()
                    + ".url is '" + connection.url() + "': integration " + id + " reads it as a mailbox, which needs "
                    + "imap://host:143 or imaps://host:993");
        }
        return connection;
    }

    /** The route {@code source-<id>}: camel-mail's consumer on the card's folder. */
    @Override
    protected void source(RouteBuilder routes, String id, Integration integration) {
        Connection connection = mailConnectionOf(id, integration);
        String folder = blank(integration.source().folder()) ? DEFAULT_FOLDER : integration.source().folder();
        MailEndpoint endpoint = routes.getContext().getEndpoint(uri(connection, folder), MailEndpoint.class);
        // Set on the endpoint, never in its URI: the URI shows in logs, Hawtio and route dumps.
        endpoint.getConfiguration().setPassword(connection.password());
        // A mail server down is one warning per outage, not one with a stack trace every poll.
        endpoint.setPollStrategy(new QuietPolls("the mailbox of " + id + " (" + integration.source().connection()
                + ", folder " + folder + ")"));
        SourceIntake intake = intake(id, MailboxTriggers::deliveryId, MailboxTriggers::headers);
        routes.from(endpoint).routeId(SourceRoutes.routeId(id))
                .routeDescription("Stores each unseen mail of " + folder + " (" + integration.source().connection()
                        + ") as an event of " + id + ", then flags it seen")
                .routePolicy(SourcePause.after(backOff))
                .process(new MailToEvent())
                .process(intake);
    }

    /** camel-mail's consumer options; each is set, not left to a default, because each decides when a mail counts as taken. */
    String uri(Connection connection, String folder) {
        URI url = URI.create(connection.url());
        Map<String, Object> options = new LinkedHashMap<>();
        if (!blank(connection.username())) {
            options.put("username", connection.username());
        }
        options.put("folderName", folder);
        // Only mails no one has read: SEEN is the "taken" mark.
        options.put("unseen", true);
        // Read with BODY.PEEK: reading does not flag the mail seen; the commit does.
        options.put("peek", true);
        options.put("delete", false);
        // Keep the folder open between polls: closing it expunges mails another client marked deleted.
        options.put("closeFolder", false);
        // The route reads the raw message (MailToEvent); Camel's mapping would fail a poll on one odd mail.
        options.put("mapMailMessage", false);
        // A mail that cannot be fetched is not skipped (skipped = taken and lost): the poll fails and is tried again.
        options.put("skipFailedMessage", false);
        options.put("handleFailedMessage", false);
        options.put("maxMessagesPerPoll", maxPerPoll);
        options.put("delay", delay.toMillis());
        options.put("connectionTimeout", (int) connection.connectTimeout().toMillis());
        return url.getScheme() + "://" + url.getAuthority() + "?" + URISupport.createQueryString(options);
    }

    private static String deliveryId(Exchange exchange) {
        return exchange.getProperty(MailToEvent.DELIVERY_ID, String.class);
    }

    private static Map<String, String> headers(Exchange exchange) {
        @SuppressWarnings("unchecked")
        Map<String, String> headers = exchange.getProperty(MailToEvent.HEADERS, Map.class);
        return headers;
    }

    private static String scheme(String url) {
        if (blank(url)) {
            return "";
        }
        try {
            String scheme = new URI(url).getScheme();
            return scheme == null ? "" : scheme.toLowerCase(Locale.ROOT);
        } catch (URISyntaxException notAUrl) {
            return "";
        }
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
