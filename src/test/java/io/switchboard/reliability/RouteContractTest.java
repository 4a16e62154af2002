package io.switchboard.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.switchboard.integration.IntegrationsProperties;
import io.switchboard.integration.IntegrationsProperties.Card;
import io.switchboard.integration.IntegrationsProperties.Integration;
import io.switchboard.integration.Trigger;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The contract's rules for calls out: every call to a system outside the platform comes after a
 * throttle, with advice that works for the call it names, and no call names its system's host or
 * credentials, only a connection.
 */
class RouteContractTest {

    private static final Path ROUTES = Path.of("routes");
    private static final Path DATA = Path.of("data");

    private final IntegrationsProperties integrations = integrations(Map.of());

    @Test
    void anUnthrottledSqlCallIsRefusedWithANumericThrottleAsTheFix() {
        RouteDefinition route = orderPaid(false, "sql:insert into orders(id) values (:#id)?dataSource=#shopDb");
        assertThat(RouteContract.check(route, integrations, ROUTES, DATA)).singleElement().satisfies(problem ->
                assertThat(problem).contains("it calls sql:insert into orders(id) values (:#id)?dataSource=#shopDb "
                                + "without a throttle before it")
                        .contains("throttle: {constant: \"10\", mode: TotalRequests}")
                        .contains("works once the route calls the system as connection:<name>"));
    }

    @Test
    void theRefusalOfAStartNamesTheRouteAndTheFix() {
        RouteDefinition route = orderPaid(false, "sql:insert into orders(id) values (:#id)?dataSource=#shopDb");
        assertThatThrownBy(() -> RouteContract.enforce(route, integrations, ROUTES, DATA))
                .isInstanceOf(RouteContract.Violation.class)
                .hasMessageContaining("Route 'order-paid' breaks the integration contract")
                .hasMessageContaining("without a throttle");
    }

    @Test
    void anUnthrottledConnectionCallIsToldToUseTheRouteRate() {
        RouteDefinition route = orderPaid(false, "connection:crm/contacts");
        assertThat(RouteContract.check(route, integrations, ROUTES, DATA)).singleElement().satisfies(problem ->
                assertThat(problem).contains("{{rate:order-paid}}").doesNotContain("constant: \"10\""));
    }

    @ParameterizedTest
    @ValueSource(strings = {"sql:select 1?dataSource=#shopDb", "jdbc:shopDb", "spring-rabbitmq:orders?connectionFactory=#broker",
            "rabbitmq:orders", "paho-mqtt5:orders", "paho:orders", "nats:orders", "kafka:orders", "jms:queue:orders",
            "mongodb:shop?database=shop&collection=orders", "https://api.example.com/orders", "connection:crm/contacts",
            "file:/srv/exports", "file:{{exports}}", "ftp:files.example.com/in", "smtps:mail.example.com"})
    void everyCallOutsideThePlatformNeedsAThrottle(String uri) {
        RouteDefinition route = orderPaid(false, uri);
        assertThat(RouteContract.check(route, integrations, ROUTES, DATA))
                .anySatisfy(problem -> assertThat(problem).contains("without a throttle before it"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"log:orders", "direct:order-paid-notify", "bean:steps?method=note", "file:data/exports",
            "file://data/exports?fileName=orders.csv"})
    void callsInsideThePlatformNeedNoThrottle(String uri) {
        assertThat(RouteContract.check(orderPaid(false, uri), integrations, ROUTES, DATA)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sql:insert into orders(id) values (:#id)?dataSource=#shopDb",
            "spring-rabbitmq:orders?connectionFactory=#broker&routingKey=paid", "nats:orders", "connection:shop-db",
            "jms:queue:orders"})
    void aThrottledCallByBeanOrConnectionKeepsTheContract(String uri) {
        assertThat(RouteContract.check(orderPaid(true, uri), integrations, ROUTES, DATA)).isEmpty();
    }

    @Test
    void aRawUriWithAPasswordIsRefusedNamingTheRouteTheBlottedEndpointAndTheConnectionForm() {
        RouteDefinition route = orderPaid(true,
                "smtp://mail.example.com:587?username=shop-mailer&password=s3cret-pw&to=ops@example.com");
        assertThatThrownBy(() -> RouteContract.enforce(route, integrations, ROUTES, DATA))
                .isInstanceOf(RouteContract.Violation.class)
                .hasMessageContaining("Route 'order-paid' breaks the integration contract")
                .hasMessageContaining("it calls smtp://mail.example.com:587?username=xxxxxx&password=xxxxxx"
                        + "&to=ops@example.com, which names a host and credentials in the route")
                .hasMessageContaining("declare the system under switchboard.connections.<name> (kind: mail")
                .hasMessageContaining("and call it as connection:<name>")
                .satisfies(violation -> assertThat(violation.getMessage()).doesNotContain("s3cret-pw")
                        .doesNotContain("shop-mailer"));
    }

    @Test
    void aJdbcUrlWithAPasswordIsRefusedButADataSourceBeanIsNot() {
        RouteDefinition url = orderPaid(true, "jdbc:postgresql://db.example.com:5432/shop?user=app&password=pg-pw");
        assertThat(RouteContract.check(url, integrations, ROUTES, DATA)).singleElement().satisfies(problem ->
                assertThat(problem).contains("names a host and credentials").contains("kind: jdbc")
                        .contains("user=xxxxxx&password=xxxxxx").doesNotContain("pg-pw"));
        RouteDefinition bean = orderPaid(true, "sql:insert into orders(id) values (:#id)?dataSource=#shopDb");
        assertThat(RouteContract.check(bean, integrations, ROUTES, DATA)).isEmpty();
    }

    @Test
    void aBrokerAddressOrUserInfoIsRefusedAndBlotted() {
        RouteDefinition rabbit = orderPaid(true, "rabbitmq://broker.example.com:5672/orders?password=amqp-pw");
        assertThat(RouteContract.check(rabbit, integrations, ROUTES, DATA)).singleElement().satisfies(problem ->
                assertThat(problem).contains("rabbitmq://broker.example.com:5672/orders?password=xxxxxx")
                        .contains("kind: amqp").doesNotContain("amqp-pw"));
        RouteDefinition mqtt = orderPaid(true, "paho-mqtt5:orders?brokerUrl=tcp://mqtt.example.com:1883");
        assertThat(RouteContract.check(mqtt, integrations, ROUTES, DATA)).singleElement().satisfies(problem ->
                assertThat(problem).contains("names a host in the route").contains("kind: mqtt"));
        RouteDefinition sftp = orderPaid(true, "sftp://deploy:ssh-pw@files.example.com/in");
        assertThat(RouteContract.check(sftp, integrations, ROUTES, DATA)).singleElement().satisfies(problem ->
                assertThat(problem).contains("sftp://deploy:xxxxxx@files.example.com/in").doesNotContain("ssh-pw"));
    }

    @Test
    void aThrottledSmtpCallWithANumberPassesTheThrottleRuleAndOnlyItsHostIsRefused() {
        RouteDefinition route = orderPaid(true, "smtp://mail.example.com:587?to=ops@example.com");
        assertThat(RouteContract.check(route, integrations, ROUTES, DATA)).singleElement().satisfies(problem ->
                assertThat(problem).contains("names a host in the route").doesNotContain("throttle"));
        IntegrationsProperties excepted = integrations(Map.of(RouteContract.RAW_ENDPOINT,
                "the relay is the office's, not ours to declare"));
        assertThat(RouteContract.check(route, excepted, ROUTES, DATA)).isEmpty();
    }

    @Test
    void credentialsInARouteCannotBeExcepted() {
        IntegrationsProperties excepted = integrations(Map.of(RouteContract.RAW_ENDPOINT, "legacy relay"));
        RouteDefinition route = orderPaid(true, "smtp://mail.example.com:587?password=s3cret-pw");
        assertThat(RouteContract.check(route, excepted, ROUTES, DATA)).singleElement().satisfies(problem ->
                assertThat(problem).contains("names credentials in the route").doesNotContain("s3cret-pw"));
    }

    @Test
    void aRouteFilesOwnFromWithAPasswordIsRefusedButAPlatformRouteBuiltInJavaIsNot() {
        RouteDefinition file = new RouteDefinition();
        file.setResource(ResourceHelper.fromString("file:routes/order-paid.camel.yaml", ""));
        file.routeId("order-paid-mailbox").from("imaps://imap.example.com?username=ops&password=imap-pw").to("log:x");
        assertThat(RouteContract.check(file, integrations, ROUTES, DATA)).singleElement().satisfies(problem ->
                assertThat(problem).contains("it starts from imaps://imap.example.com?username=xxxxxx&password=xxxxxx")
                        .doesNotContain("imap-pw"));
        RouteDefinition platform = new RouteDefinition();
        platform.routeId("order-paid-source").from("paho-mqtt5:orders?brokerUrl=tcp://mqtt:1883").to("log:x");
        assertThat(RouteContract.check(platform, integrations, ROUTES, DATA)).isEmpty();
    }

    @Test
    void aThrottleCheckMessageNeverShowsASecret() {
        RouteDefinition route = orderPaid(false, "https://api.example.com/orders?api_key=live-key-123");
        List<String> problems = RouteContract.check(route, integrations, ROUTES, DATA);
        assertThat(problems).hasSize(2).allSatisfy(problem -> assertThat(problem).doesNotContain("live-key-123"));
    }

    @Test
    void blottingKeepsTheAddressAndHidesEverySecretForm() {
        assertThat(ExternalCalls.blotted("smtp://bob:pw@mail.example.com:587?password=RAW(a&b)&to=x@example.com"))
                .isEqualTo("smtp://bob:xxxxxx@mail.example.com:587?password=xxxxxx&to=x@example.com");
        assertThat(ExternalCalls.blotted("sql:select 1?dataSource=#db&url=jdbc:postgresql://u:p@db/shop?password=q"))
                .isEqualTo("sql:select 1?dataSource=#db&url=jdbc:postgresql://u:xxxxxx@db/shop?password=xxxxxx");
    }

    /** order-paid's main route: its inbox, an idempotent consumer, optionally a throttle, then the call. */
    private static RouteDefinition orderPaid(boolean throttled, String uri) {
        RouteDefinition route = new RouteDefinition();
        route.routeId("order-paid").from("inbox:order-paid");
        ProcessorDefinition<?> steps = route.idempotentConsumer().simple("${body}");
        if (throttled) {
            steps = steps.throttle(10);
        }
        steps.to(uri);
        return route;
    }

    private static IntegrationsProperties integrations(Map<String, String> exceptions) {
        return new IntegrationsProperties(Map.of("order-paid",
                new Integration(Trigger.WEBHOOK, new Card("orders", null, null, null, null, null, null, "ops", null),
                        null, null, exceptions, null, null)));
    }
}
