package io.switchboard.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import io.switchboard.SwitchboardApplication;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

/** Route files are read from the routes folder at start, reloaded in dev, and a broken one stops the start clearly. */
@ExtendWith(OutputCaptureExtension.class)
class RouteFilesTest {

    @TempDir
    Path routes;

    @Test
    void routeFileInTheRoutesFolderIsLoadedAndRuns() throws Exception {
        // A helper route of the test profile's probe integration: a route file needs an owning card.
        Files.writeString(routes.resolve("probe-greeting.camel.yaml"), greetingRoute("probe-greeting", "hello"));
        try (ConfigurableApplicationContext context = start("test")) {
            ProducerTemplate template = context.getBean(CamelContext.class).createProducerTemplate();
            assertThat(template.requestBody("direct:probe-greeting", "ignored", String.class)).isEqualTo("hello");
        }
    }

    @Test
    void routeFileDroppedWhileRunningInDevIsLoadedAndRuns() throws Exception {
        try (ConfigurableApplicationContext context = start("test", "dev")) {
            CamelContext camel = context.getBean(CamelContext.class);
            assertThat(camel.getRoute("probe-dropped")).isNull();
            Files.writeString(routes.resolve("probe-dropped.camel.yaml"), greetingRoute("probe-dropped", "reloaded"));
            await().atMost(Duration.ofSeconds(20)).until(() -> camel.getRoute("probe-dropped") != null);
            assertThat(camel.createProducerTemplate().requestBody("direct:probe-dropped", "x", String.class))
                    .isEqualTo("reloaded");
        }
    }

    @Test
    void brokenRouteFileStopsTheStartNamingFileLineAndProblem(CapturedOutput output) throws Exception {
        Path broken = routes.resolve("broken.camel.yaml");
        Files.writeString(broken, """
                - route:
                    id: broken
                    from:
                      uri: direct:broken
                      steps:
                        - lgo: "a typo for log"
                """);
        Throwable failure = Assertions.catchThrowable(() -> start("test").close());
        assertThat(failure).isNotNull();
        FailureAnalysis analysis = new RouteFileFailureAnalyzer().analyze(failure);
        assertThat(analysis).isNotNull();
        assertThat(analysis.getDescription())
                .contains(broken.toString())
                .contains("line 6")
                .contains("Unknown node id: lgo");
        // Spring Boot prints the analysis as the start's closing words.
        assertThat(output.getOut() + output.getErr()).contains("APPLICATION FAILED TO START")
                .contains("Route file " + broken);
    }

    @Test
    void unreadableYamlIsReportedWithItsFile() throws Exception {
        Path broken = routes.resolve("tabs.camel.yaml");
        Files.writeString(broken, "- route:\n    id: x\n    from: [unclosed\n");
        assertThatThrownBy(() -> start("test").close())
                .satisfies(failure -> assertThat(new RouteFileFailureAnalyzer().analyze(failure).getDescription())
                        .contains(broken.toString()));
    }

    @Test
    void integrationRouteCallingOutWithoutAThrottleStopsTheStart() throws Exception {
        Files.writeString(routes.resolve("unthrottled.camel.yaml"), """
                - route:
                    id: probe-http-unthrottled
                    from:
                      uri: direct:unthrottled
                      steps:
                        - to:
                            uri: http://localhost:1/orders
                """);
        Throwable failure = Assertions.catchThrowable(() -> start("test").close());
        FailureAnalysis analysis = new RouteFileFailureAnalyzer().analyze(failure);
        assertThat(analysis).isNotNull();
        assertThat(analysis.getDescription())
                .contains("Route 'probe-http-unthrottled' breaks the integration contract")
                .contains("without a throttle");
    }

    @Test
    void aRawSmtpUriWithAPasswordStopsTheStartNamingTheFixAndNeverTheSecret(CapturedOutput output) throws Exception {
        Files.writeString(routes.resolve("raw-mail.camel.yaml"), """
                - route:
                    id: probe-http-mail
                    from:
                      uri: direct:raw-mail
                      steps:
                        - throttle: {constant: "5", mode: TotalRequests}
                        - to:
                            uri: smtp://mail.example.com:587
                            parameters: {username: shop-mailer, password: s3cret-smtp-pw, to: ops@example.com}
                        - to: {uri: "sql:insert into orders(id) values (:#id)?dataSource=#shopDb"}
                """);
        Throwable failure = Assertions.catchThrowable(() -> start("test").close());
        FailureAnalysis analysis = new RouteFileFailureAnalyzer().analyze(failure);
        assertThat(analysis).isNotNull();
        assertThat(analysis.getDescription())
                .contains("Route 'probe-http-mail' breaks the integration contract")
                .contains("it calls smtp://mail.example.com:587?")
                .contains("password=xxxxxx")
                .contains("declare the system under switchboard.connections.<name> (kind: mail")
                .contains("call it as connection:<name>")
                .doesNotContain("s3cret-smtp-pw").doesNotContain("shop-mailer");
        assertThat(output.getOut() + output.getErr()).contains("APPLICATION FAILED TO START")
                .contains("call it as connection:<name>")
                .doesNotContain("s3cret-smtp-pw");
    }

    @Test
    void integrationRouteWithoutIdempotentConsumerStopsTheStart() throws Exception {
        Files.writeString(routes.resolve("forgetful.camel.yaml"), """
                - route:
                    id: probe-github
                    from:
                      uri: inbox:probe-github
                      steps:
                        - log: "no idempotency here"
                """);
        Throwable failure = Assertions.catchThrowable(() -> start("test").close());
        assertThat(new RouteFileFailureAnalyzer().analyze(failure).getDescription())
                .contains("Route 'probe-github'").contains("no idempotentConsumer");
    }

    private ConfigurableApplicationContext start(String... profiles) {
        return new SpringApplicationBuilder(SwitchboardApplication.class)
                .web(WebApplicationType.SERVLET)
                .profiles(profiles)
                .run("--switchboard.routes.directory=" + routes, "--camel.springboot.main-run-controller=false",
                        "--server.port=0");
    }

    private static String greetingRoute(String id, String answer) {
        return """
                - route:
                    id: %s
                    from:
                      uri: direct:%s
                      steps:
                        - setBody:
                            constant: %s
                """.formatted(id, id, answer);
    }
}
