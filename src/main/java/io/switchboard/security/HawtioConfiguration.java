package io.switchboard.security;

import org.apache.camel.CamelContext;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What Hawtio's admin may reach in Camel: the CamelContext MBean sends to routes' inputs only
 * ({@link RouteInputSends}); the rest of Jolokia's limits are {@link JolokiaRestrictor} and
 * {@code jolokia-access.xml}.
 */
@Configuration(proxyBeanMethods = false)
class HawtioConfiguration {

    @Bean
    CamelContextConfiguration routeInputSends() {
        return new CamelContextConfiguration() {
            @Override
            public void beforeApplicationStart(CamelContext context) {
                RouteInputSends.install(context);
            }

            @Override
            public void afterApplicationStart(CamelContext context) {
                // nothing: the MBean is registered when the context starts
            }
        };
    }
}
