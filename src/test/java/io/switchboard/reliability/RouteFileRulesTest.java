package io.switchboard.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;

import io.switchboard.integration.IntegrationsProperties.Card;
import io.switchboard.integration.IntegrationsProperties.Integration;
import io.switchboard.integration.IntegrationsProperties;
import io.switchboard.integration.Trigger;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.Test;

/** The authoring rules a route file meets at start and on reload: an explicit id and an owning integration. */
class RouteFileRulesTest {

    private static final Path ROUTES = Path.of("routes");

    private final IntegrationsProperties integrations = new IntegrationsProperties(Map.of("order-paid",
            new Integration(Trigger.WEBHOOK, new Card("orders", null, null, null, null, null, null, "ops", null),
                    null, null, Map.of(), null, null, null)));

    @Test
    void aRouteFromTheRoutesFolderWithoutAnIdIsRefusedNamingItsFile() {
        RouteDefinition route = fromFile("file:routes/order-paid.camel.yaml");
        route.from("inbox:order-paid").idempotentConsumer().simple("${body}").to("log:x");
        assertThat(RouteContract.check(route, integrations, ROUTES))
                .anySatisfy(problem -> assertThat(problem).contains("file:routes/order-paid.camel.yaml").contains("no id"));
    }

    @Test
    void aRouteOfNoIntegrationIsRefusedWithHowToAddTheCard() {
        RouteDefinition route = fromFile("file:routes/stray.camel.yaml");
        route.routeId("stray").from("timer:tick").to("log:x");
        assertThat(RouteContract.check(route, integrations, ROUTES)).singleElement().satisfies(problem -> assertThat(problem)
                .contains("belongs to no integration").contains("switchboard.integrations.stray")
                .contains("<integration>-<purpose>"));
    }

    @Test
    void aRefusedScheduleRouteNamesTheIntegrationOfItsFileNotItsRouteId() {
        RouteDefinition route = fromFile("file:routes/churn-watch.camel.yaml");
        route.routeId("churn-watch-schedule").from("timer:tick").to("log:x");
        assertThat(RouteContract.check(route, integrations, ROUTES)).singleElement().satisfies(problem -> assertThat(problem)
                .contains("routes/churn-watch.card.yaml").contains("switchboard.integrations.churn-watch ")
                .doesNotContain("churn-watch-schedule.card").doesNotContain("integrations.churn-watch-schedule"));
    }

    @Test
    void aHelperRouteNamedAfterItsIntegrationIsAccepted() {
        RouteDefinition route = fromFile("file:routes/order-paid.camel.yaml");
        route.routeId("order-paid-notify").from("direct:order-paid-notify").to("log:x");
        assertThat(RouteContract.check(route, integrations, ROUTES)).isEmpty();
    }

    @Test
    void routesFromOtherPlacesNeedNoCardButStillAnId() {
        RouteDefinition other = fromFile("file:target/test-classes/cluster-routes/tick.camel.yaml");
        other.routeId("cluster-tick").from("timer:tick").to("log:x");
        assertThat(RouteContract.check(other, integrations, ROUTES)).isEmpty();
        RouteDefinition named = fromFile("classpath:cluster-routes/tick.camel.yaml");
        named.routeId("cluster-tick").from("timer:tick").to("log:x");
        assertThat(RouteContract.check(named, integrations, ROUTES)).isEmpty();
        RouteDefinition unnamed = fromFile("classpath:cluster-routes/tick.camel.yaml");
        unnamed.from("timer:tick").to("log:x");
        assertThat(RouteContract.check(unnamed, integrations, ROUTES)).singleElement()
                .satisfies(problem -> assertThat(problem).contains("no id"));
    }

    private static RouteDefinition fromFile(String location) {
        RouteDefinition route = new RouteDefinition();
        route.setResource(ResourceHelper.fromString(location, ""));
        return route;
    }
}
