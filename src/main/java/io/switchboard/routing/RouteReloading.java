package io.switchboard.routing;

import java.nio.file.Path;

import io.switchboard.ingress.WebhookIngress;
import io.switchboard.integration.CardReload;
import io.switchboard.integration.IntegrationsProperties;
import io.switchboard.integration.RouteFileProblems;
import org.apache.camel.CamelContext;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

/**
 * {@code switchboard.routes.reload: true} (the dev profile): a changed route, card or schema
 * file in the routes folder is reloaded while the server runs, through {@link SafeRouteReload}, which refuses
 * what a fresh start would refuse. Camel's own {@code camel.main.routes-reload-enabled} would
 * drop the working route when the new file is broken; leave it off.
 */
@Component
@ConditionalOnProperty(name = "switchboard.routes.reload", havingValue = "true")
class RouteReloading implements CamelContextConfiguration {

    private final SafeRouteReload reload;

    RouteReloading(@Value("${switchboard.routes.directory}") String directory, IntegrationsProperties integrations,
            RouteFileProblems problems, CardReload cards, WebhookIngress ingress,
            @Value("${switchboard.data.directory:data}") String dataFolder) {
        this.reload = new SafeRouteReload(directory, integrations, problems, cards, ingress::reloadSchema,
                Path.of(dataFolder));
    }

    @Override
    public void beforeApplicationStart(CamelContext camelContext) {
        try {
            camelContext.addService(reload);
        } catch (Exception e) {
            throw new IllegalStateException("the route reloading could not be set up: " + e.getMessage(), e);
        }
    }

    @Override
    public void afterApplicationStart(CamelContext camelContext) {
        // the watcher runs as a service of the Camel context
    }
}
