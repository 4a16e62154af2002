package io.switchboard.logging;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * The log message as {@code %m} writes it, with line breaks escaped ({@link OneLine}). It
 * replaces logback's own {@code %m} in {@code logback-spring.xml}, so no log statement, ours
 * or a library's, can be made to forge a line. Stack traces still follow on lines of their own.
 */
public class OneLineMessageConverter extends MessageConverter {

    @Override
    public String convert(ILoggingEvent event) {
        return OneLine.escape(event.getFormattedMessage());
    }
}
