package io.switchboard.source;

import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.spi.PollingConsumerPollStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The poll strategy of a polling source (a mailbox, an outbox table): a spell of failed polls is
 * one warning when it starts (and one more only if the reason changes) and one line when polls
 * succeed again. Camel's default strategy logs a warning with a stack trace at every failed poll,
 * which, for a mail server down for an hour, buries everything else in the log. Nothing is retried
 * at once: the next scheduled poll is the retry, and the consumer's back-off still applies.
 */
public class QuietPolls implements PollingConsumerPollStrategy {

    private static final Logger log = LoggerFactory.getLogger(QuietPolls.class);

    private final String source;
    private volatile String failing;

    /** @param source what is polled, for the log: "the mailbox of support-inbox" */
    public QuietPolls(String source) {
        this.source = source;
    }

    @Override
    public boolean begin(Consumer consumer, Endpoint endpoint) {
        return true;
    }

    @Override
    public void commit(Consumer consumer, Endpoint endpoint, int polledMessages) {
        if (failing != null) {
            log.info("Polling {} works again", source);
            failing = null;
        }
    }

    @Override
    public boolean rollback(Consumer consumer, Endpoint endpoint, int retryCounter, Exception cause) {
        failed("a poll failed: " + cause);
        return false;
    }

    /** Logs the reason once per spell of failures, again only when it changes. */
    protected void failed(String reason) {
        if (!reason.equals(failing)) {
            log.warn("Polling {} fails: {}. It is polled again by itself; /api/connections shows the connection's "
                    + "state", source, reason);
            failing = reason;
        }
    }
}
