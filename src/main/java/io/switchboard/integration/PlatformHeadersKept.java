package io.switchboard.integration;

import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.camel.AsyncCallback;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.NamedNode;
import org.apache.camel.Processor;
import org.apache.camel.model.RemoveHeadersDefinition;
import org.apache.camel.spi.InterceptStrategy;
import org.apache.camel.support.AsyncProcessorConverterHelper;
import org.apache.camel.support.processor.DelegateAsyncProcessor;
import org.springframework.stereotype.Component;

/**
 * Keeps the platform's own headers ({@link InboxHeaders#ALL}) through a route's
 * {@code removeHeaders}. Routes clear the headers before a call so that the caller's (or the
 * previous answer's) headers do not travel on, usually with {@code removeHeaders: "*"}; that
 * pattern also took the event id, and with it the once-only steps' journal keys
 * ({@code ${header.SwitchboardEventId}/<step>}) and the log's correlation id. Camel finds this
 * strategy in the registry and wraps every {@code removeHeaders} step with it; other steps are
 * left as they are, and {@code removeHeader} naming one of these headers still removes it.
 */
@Component
class PlatformHeadersKept implements InterceptStrategy {

    @Override
    public Processor wrapProcessorInInterceptors(CamelContext context, NamedNode definition, Processor target,
            Processor nextTarget) {
        if (!(definition instanceof RemoveHeadersDefinition)) {
            // As it came; converted only so that Camel does not warn about a synchronous step.
            return AsyncProcessorConverterHelper.convert(target);
        }
        return new DelegateAsyncProcessor(target) {
            @Override
            public boolean process(Exchange exchange, AsyncCallback callback) {
                Map<String, Object> kept = platformHeaders(exchange.getMessage());
                return processor.process(exchange, doneSync -> {
                    kept.forEach(exchange.getMessage()::setHeader);
                    callback.done(doneSync);
                });
            }

            @Override
            public String toString() {
                return "PlatformHeadersKept[" + processor + "]";
            }
        };
    }

    private static Map<String, Object> platformHeaders(Message message) {
        Map<String, Object> kept = new LinkedHashMap<>();
        for (String name : InboxHeaders.ALL) {
            Object value = message.getHeader(name);
            if (value != null) {
                kept.put(name, value);
            }
        }
        return kept;
    }
}
