package io.switchboard.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Scanner;

import io.switchboard.SwitchboardTest;
import io.switchboard.ingress.WebhookIngress;
import io.switchboard.integration.CardReload;
import io.switchboard.integration.IntegrationsProperties;
import io.switchboard.integration.RouteFileProblems;
import io.switchboard.security.TestLogins;
import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.apache.camel.model.Model;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * A changed route file replaces the running route only when a fresh start would accept it;
 * otherwise the previous version keeps running and the integration's card says why.
 */
@SwitchboardTest
@ExtendWith(OutputCaptureExtension.class)
class RouteReloadTest {

    private static final String GOOD = """
            - route:
                id: probe-reload
                from:
                  uri: inbox:probe-reload
                  steps:
                    - idempotentConsumer:
                        simple: ${header.SwitchboardEventId}
                        idempotentRepository: probe-reload-idempotency
                        steps:
                          - setHeader:
                              name: version
                              constant: "%s"
            """;

    @Autowired
    CamelContext camel;

    @Autowired
    IntegrationsProperties integrations;

    @Autowired
    RouteFileProblems problems;

    @Autowired
    CardReload cards;

    @Autowired
    WebhookIngress ingress;

    @LocalServerPort
    int port;

    @TempDir
    Path folder;

    private SafeRouteReload reload;
    private Path file;

    @BeforeEach
    void setUp() throws Exception {
        reload = new SafeRouteReload(folder.toString(), integrations, problems, cards, ingress::reloadSchema);
        reload.setCamelContext(camel);
        file = folder.resolve("probe-reload.camel.yaml");
        write(GOOD.formatted("v1"));
        assertThat(problems.forIntegration("probe-reload")).isEmpty();
        assertThat(camel.getRouteController().getRouteStatus("probe-reload")).isEqualTo(ServiceStatus.Started);
    }

    @AfterEach
    void removeTheRoute() throws Exception {
        camel.getRouteController().stopRoute("probe-reload");
        camel.removeRoute("probe-reload");
        problems.accepted(resource().getLocation());
    }

    @Test
    void aContractBreakingFileKeepsThePreviousRouteRunningAndTheCardSaysWhy() throws Exception {
        write("""
                - route:
                    id: probe-reload
                    from:
                      uri: inbox:probe-reload
                      steps:
                        - setHeader:
                            name: version
                            constant: "v2"
                """);
        assertRunningVersion("v1");
        assertThat(problems.forIntegration("probe-reload")).hasValueSatisfying(problem ->
                assertThat(problem.message()).contains("probe-reload.camel.yaml").contains("idempotentConsumer"));
        String cards = new Scanner(URI.create("http://localhost:" + port + "/api/integrations")
                .toURL().openConnection() instanceof HttpURLConnection c ? withViewer(c) : null)
                .useDelimiter("\\A").next();
        assertThat(cards).contains("\"routeFileProblem\"").contains("idempotentConsumer");

        write(GOOD.formatted("v3"));
        assertRunningVersion("v3");
        assertThat(problems.forIntegration("probe-reload")).isEmpty();
    }

    @Test
    void anUnthrottledSqlCallAndARawBrokerUriAreRefusedOnReloadWithoutShowingTheSecret(CapturedOutput output)
            throws Exception {
        write("""
                - route:
                    id: probe-reload
                    from:
                      uri: inbox:probe-reload
                      steps:
                        - idempotentConsumer:
                            simple: ${header.SwitchboardEventId}
                            idempotentRepository: probe-reload-idempotency
                            steps:
                              - to: {uri: "sql:insert into orders(id) values (:#id)?dataSource=#shopDb"}
                              - to:
                                  uri: rabbitmq://broker.example.com:5672/orders
                                  parameters: {username: app, password: amqp-s3cret}
                              - setHeader: {name: version, constant: "v2"}
                """);
        assertRunningVersion("v1");
        assertThat(problems.forIntegration("probe-reload")).hasValueSatisfying(problem -> assertThat(problem.message())
                .contains("it calls sql:insert into orders(id) values (:#id)?dataSource=#shopDb without a throttle")
                .contains("throttle: {constant: \"10\", mode: TotalRequests}")
                .contains("rabbitmq://broker.example.com:5672/orders?")
                .contains("declare the system under switchboard.connections.<name> (kind: amqp")
                .doesNotContain("amqp-s3cret"));
        assertThat(output.getOut() + output.getErr()).contains("route file not reloaded")
                .contains("call it as connection:<name>").doesNotContain("amqp-s3cret");
    }

    @Test
    void aYamlErrorIsReportedWithItsLineAndColumn() throws Exception {
        write(GOOD.formatted("v2").replace("          steps:\n", "          steps: [\n"));
        assertRunningVersion("v1");
        assertThat(problems.forIntegration("probe-reload")).hasValueSatisfying(problem ->
                assertThat(problem.message()).containsPattern("line \\d+, column \\d+"));
    }

    @Test
    void aRouteWithoutAnIdIsRefusedNamingTheFile() throws Exception {
        write(GOOD.formatted("v2").replace("    id: probe-reload\n", ""));
        assertRunningVersion("v1");
        assertThat(camel.getRoutes()).filteredOn(r -> r.getRouteId().startsWith("route")).isEmpty();
        assertThat(problems.forIntegration("probe-reload")).hasValueSatisfying(problem ->
                assertThat(problem.message()).contains("probe-reload.camel.yaml").contains("no id"));
    }

    @Test
    void aRouteThatCamelCannotStartLeavesThePreviousVersionInPlace() throws Exception {
        write(GOOD.formatted("v2").replace("- setHeader:", "- bean:\n                  ref: noSuchBean\n"
                + "              - setHeader:"));
        assertRunningVersion("v1");
        assertThat(problems.forIntegration("probe-reload")).hasValueSatisfying(problem ->
                assertThat(problem.message()).contains("noSuchBean"));
    }

    @Test
    void filesWithTheWrongSuffixAreNamed() throws Exception {
        Files.writeString(folder.resolve("forgotten.yaml"), "- route: {}\n");
        Files.writeString(folder.resolve("notes.txt"), "not a route");
        Files.writeString(folder.resolve("probe-reload.card.yaml"), "trigger: webhook\n");
        assertThat(RouteFolder.ignored(folder)).extracting(p -> p.getFileName().toString())
                .containsExactly("forgotten.yaml");
    }

    private void write(String content) throws Exception {
        Files.writeString(file, content);
        reload.reload(List.of(resource()));
    }

    private Resource resource() {
        return PluginHelper.getResourceLoader(camel).resolveResource("file:" + file.toAbsolutePath());
    }

    private void assertRunningVersion(String version) {
        assertThat(camel.getRouteController().getRouteStatus("probe-reload")).isEqualTo(ServiceStatus.Started);
        String definition = camel.getCamelContextExtension().getContextPlugin(Model.class)
                .getRouteDefinition("probe-reload").toString();
        assertThat(definition).contains(version);
    }

    private static InputStream withViewer(HttpURLConnection connection) {
        try {
            connection.setRequestProperty("Authorization", TestLogins.VIEWER);
            return connection.getInputStream();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
