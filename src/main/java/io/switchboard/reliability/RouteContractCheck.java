package io.switchboard.reliability;

import java.nio.file.Path;

import io.switchboard.integration.IntegrationsProperties;
import org.apache.camel.CamelContext;
import org.apache.camel.model.Model;
import org.apache.camel.model.ModelLifecycleStrategy;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.RouteTemplateDefinition;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Checks every route against the {@link RouteContract} as it is added, so a broken one stops the
 * start. {@code switchboard.data.directory} (default {@code data}, where the embedded database
 * lives) is the platform's own folder: a {@code file:} call under it needs no throttle.
 */
@Component
class RouteContractCheck implements CamelContextConfiguration {

    private final IntegrationsProperties integrations;
    private final Path routesFolder;
    private final Path dataFolder;

    RouteContractCheck(IntegrationsProperties integrations,
            @Value("${switchboard.routes.directory}") String routesFolder,
            @Value("${switchboard.data.directory:data}") String dataFolder) {
        this.integrations = integrations;
        this.routesFolder = Path.of(routesFolder);
        this.dataFolder = Path.of(dataFolder);
    }

    @Override
    public void beforeApplicationStart(CamelContext camelContext) {
        Model model = camelContext.getCamelContextExtension().getContextPlugin(Model.class);
        model.getRouteDefinitions().forEach(route -> RouteContract.enforce(route, integrations, routesFolder, dataFolder));
        model.addModelLifecycleStrategy(new ModelLifecycleStrategy() {
            @Override
            public void onAddRouteDefinition(RouteDefinition definition) {
                RouteContract.enforce(definition, integrations, routesFolder, dataFolder);
            }

            @Override
            public void onRemoveRouteDefinition(RouteDefinition definition) {
                // nothing to check on removal
            }

            @Override
            public void onAddRouteTemplateDefinition(RouteTemplateDefinition definition) {
                // templates are checked as the routes made from them are added
            }

            @Override
            public void onRemoveRouteTemplateDefinition(RouteTemplateDefinition definition) {
                // nothing to check on removal
            }
        });
    }

    @Override
    public void afterApplicationStart(CamelContext camelContext) {
        // checked as routes were added
    }
}
