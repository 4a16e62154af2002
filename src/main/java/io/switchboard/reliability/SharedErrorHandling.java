package io.switchboard.reliability;

import org.apache.camel.builder.RouteConfigurationBuilder;
import org.springframework.stereotype.Component;

/**
 * The dead-letter channel, declared once for every route: a configuration without an id
 * applies to each route that names no other. No in-memory redelivery: a failed attempt is
 * handed to the {@link DeadLetterOffice}, which schedules the next attempt in the inbox
 * (so waiting blocks nothing and survives a restart) or parks the event.
 */
@Component
public class SharedErrorHandling extends RouteConfigurationBuilder {

    public static final String DEAD_LETTER_URI = "bean:deadLetterOffice";

    @Override
    public void configuration() {
        var deadLetterChannel = deadLetterChannel(DEAD_LETTER_URI);
        // If parking itself fails (database away), let the failure show, so the inbox
        // consumer never mistakes the event for done.
        deadLetterChannel.deadLetterHandleNewException(false);
        routeConfiguration()
                .errorHandler(deadLetterChannel
                        .useOriginalMessage()
                        .maximumRedeliveries(0)
                        .logExhausted(false)
                        .logStackTrace(false));
    }
}
