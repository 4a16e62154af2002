package io.switchboard.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.util.List;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** A mail server down for an hour is one warning and one line when it is back, not a stack trace per poll. */
class QuietPollsTest {

    private final Logger logger = (Logger) LoggerFactory.getLogger(QuietPolls.class);
    private final ListAppender<ILoggingEvent> captured = new ListAppender<>();
    private final QuietPolls polls = new QuietPolls("the mailbox of support-inbox");

    @BeforeEach
    void capture() {
        captured.setContext(logger.getLoggerContext());
        captured.start();
        logger.addAppender(captured);
    }

    @AfterEach
    void release() {
        logger.detachAppender(captured);
    }

    @Test
    void aSpellOfFailedPollsIsOneWarningAndOneLineWhenPollsWorkAgain() {
        ConnectException down = new ConnectException("Connection refused");
        for (int poll = 0; poll < 50; poll++) {
            assertThat(polls.begin(null, null)).isTrue();
            assertThat(polls.rollback(null, null, 0, down)).as("no immediate retry").isFalse();
        }
        polls.commit(null, null, 3);
        polls.commit(null, null, 0);

        List<ILoggingEvent> lines = captured.list;
        assertThat(lines).extracting(ILoggingEvent::getLevel).containsExactly(Level.WARN, Level.INFO);
        assertThat(lines.get(0).getFormattedMessage()).contains("the mailbox of support-inbox", "Connection refused");
        assertThat(lines.get(0).getThrowableProxy()).as("no stack trace").isNull();
        assertThat(lines.get(1).getFormattedMessage()).contains("works again");
    }

    @Test
    void aNewReasonDuringASpellIsLoggedOnce() {
        polls.rollback(null, null, 0, new ConnectException("Connection refused"));
        polls.rollback(null, null, 0, new IllegalStateException("AUTHENTICATE failed"));
        polls.rollback(null, null, 0, new IllegalStateException("AUTHENTICATE failed"));

        assertThat(captured.list).extracting(ILoggingEvent::getFormattedMessage)
                .hasSize(2).last().asString().contains("AUTHENTICATE failed");
    }
}
