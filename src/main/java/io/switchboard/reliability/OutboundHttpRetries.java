package io.switchboard.reliability;

import org.apache.camel.CamelContext;
import org.apache.camel.component.http.HttpComponent;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.springframework.stereotype.Component;

/**
 * Turns off the HTTP client's own quiet retries (Apache HttpClient 5 repeats 429 and 503
 * by itself). Retries belong to the inbox, where each attempt is counted, journaled,
 * spaced by the retry policy and survives a restart.
 */
@Component
class OutboundHttpRetries implements CamelContextConfiguration {

    @Override
    public void beforeApplicationStart(CamelContext camelContext) {
        for (String name : new String[] {"http", "https"}) {
            HttpComponent http = camelContext.getComponent(name, HttpComponent.class);
            if (http != null) {
                http.setHttpClientConfigurer(builder -> builder.disableAutomaticRetries());
            }
        }
    }

    @Override
    public void afterApplicationStart(CamelContext camelContext) {
        // configured before the routes create their endpoints
    }
}
