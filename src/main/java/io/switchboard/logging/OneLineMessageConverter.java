package io.switchboard.logging;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import org.slf4j.helpers.MessageFormatter;

/**
 * The log message as {@code %m} writes it, with every argument ({@code {}}) kept on one line
 * ({@link OneLine}). It replaces logback's own {@code %m} in {@code logback-spring.xml}, so no
 * log statement, ours or a library's, can be made to forge a line by the values it logs. The
 * message's own text is the code's, not the sender's: a block the server frames on purpose
 * (the generated admin password, a failed start's "what to do") keeps its lines. Stack traces
 * follow on lines of their own, their messages escaped too ({@link OneLineThrowableConverter}).
 */
public class OneLineMessageConverter extends MessageConverter {

    @Override
    public String convert(ILoggingEvent event) {
        Object[] arguments = event.getArgumentArray();
        if (arguments == null || arguments.length == 0) {
            return event.getFormattedMessage();
        }
        Object[] escaped = new Object[arguments.length];
        boolean changed = false;
        for (int i = 0; i < arguments.length; i++) {
            Object argument = arguments[i];
            if (argument == null || argument instanceof Number || argument instanceof Boolean) {
                escaped[i] = argument;
                continue;
            }
            String text = String.valueOf(argument);
            String safe = OneLine.escape(text);
            changed |= safe != text;
            escaped[i] = safe;
        }
        return changed ? MessageFormatter.arrayFormat(event.getMessage(), escaped).getMessage()
                : event.getFormattedMessage();
    }
}
