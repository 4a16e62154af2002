package io.switchboard.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.SwitchboardTest;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * An admin in Hawtio (or whoever holds the admin's Hawtio session) reads no secret through
 * Jolokia: Camel's send operations reach a route's own input only, and no other MBean
 * operation evaluates an expression, loads a route or reads the JVM's secrets.
 */
@SwitchboardTest
class HawtioSecretsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CONTEXT = "org.apache.camel:context=switchboard,type=context,name=\"switchboard\"";
    private static final String ADMIN_PASSWORD = "admin-test-password";
    private static final String CHAT_SECRET = "test-chat-app-secret";
    private static final String KEY_FILE_SECRET = "key-file-secret-7f3a";
    private static final String SQL_PROOF = "sql-ran-4242";

    @LocalServerPort
    int port;

    @Autowired
    CamelContext camel;

    @Autowired
    JdbcTemplate jdbc;

    private Browserless client;
    private Path keyFile;

    @BeforeEach
    void setUp() throws Exception {
        client = new Browserless(port);
        assertThat(client.logInToHawtio("admin", ADMIN_PASSWORD)).isEqualTo(200);
        keyFile = Files.createDirectories(Path.of("target")).resolve("hawtio-secrets-test.key");
        Files.writeString(keyFile, KEY_FILE_SECRET);
    }

    /** The three calls of the finding: environment and placeholders, a file, and SQL through a bean. */
    private List<String> attackUris() {
        return List.of(
                "language:simple:${sysenv.PATH} {{switchboard.security.admin.password}} | {{CHAT_CLIENT_SECRET}}",
                "language:simple:resource:file:" + keyFile.toAbsolutePath(),
                "language:simple:${bean:jdbcTemplate.queryForList('select ''sql-ran-'' || (4200 + 42) as proof')}"
                        + "${bean:jdbcTemplate.update('create table pwned_by_jolokia (x int)')}");
    }

    @Test
    void camelsSendOperationsReachNoExpressionFileOrBeanEndpoint() throws Exception {
        for (String uri : attackUris()) {
            for (Object[] call : new Object[][] {
                    {"requestBody(java.lang.String,java.lang.Object)", List.of(uri, "x")},
                    {"requestStringBody(java.lang.String,java.lang.String)", List.of(uri, "x")},
                    {"requestBodyAndHeaders(java.lang.String, java.lang.Object, java.util.Map)", List.of(uri, "x", Map.of())},
                    {"sendBody(java.lang.String,java.lang.Object)", List.of(uri, "x")},
                    {"sendStringBody(java.lang.String, java.lang.String)", List.of(uri, "x")},
                    {"sendBodyAndHeaders(java.lang.String, java.lang.Object, java.util.Map)", List.of(uri, "x", Map.of())},
                    {"createEndpoint(java.lang.String)", List.of(uri)}}) {
                String answer = exec(CONTEXT, (String) call[0], (List<?>) call[1]);
                assertRefusedAndSilent(call[0] + " " + uri, answer);
            }
            JsonNode canSend = JSON.readTree(exec(CONTEXT, "canSendToEndpoint(java.lang.String)", List.of(uri)));
            assertThat(canSend.path("status").asInt()).as("canSendToEndpoint " + uri).isEqualTo(200);
            assertThat(canSend.path("value").asBoolean(true)).as("canSendToEndpoint " + uri).isFalse();
            assertThat(camel.hasEndpoint(uri)).as("no endpoint was made for " + uri).isNull();
        }
        assertNoSqlRan();
    }

    @Test
    void otherShapesOfTheSameCallAreRefusedToo() throws Exception {
        String uri = attackUris().get(0);
        List<String> answers = new ArrayList<>();
        // no signature, a pattern for the MBean, a bulk request, and Hawtio's own path to Jolokia
        answers.add(exec(CONTEXT, "requestBody", List.of(uri, "x")));
        answers.add(exec("org.apache.camel:type=context,*", "requestBody(java.lang.String,java.lang.Object)", List.of(uri, "x")));
        answers.add(exec("org.apache.camel:context=switchboard,type=cont*,*", "requestBody(java.lang.String,java.lang.Object)",
                List.of(uri, "x")));
        answers.add(post("/actuator/jolokia", JSON.writeValueAsString(List.of(
                Map.of("type", "read", "mbean", "java.lang:type=Runtime", "attribute", "Uptime"),
                Map.of("type", "exec", "mbean", CONTEXT, "operation", "requestBody(java.lang.String,java.lang.Object)",
                        "arguments", List.of(uri, "x"))))));
        answers.add(post("/actuator/hawtio/jolokia", execBody(CONTEXT, "requestBody(java.lang.String,java.lang.Object)",
                List.of(uri, "x"))));
        for (String answer : answers) {
            assertThat(answer).doesNotContain(ADMIN_PASSWORD).doesNotContain(CHAT_SECRET);
            assertThat(answer).contains("\"error\"");
        }
    }

    @Test
    void noOtherOperationEvaluatesAnExpressionLoadsARouteOrReadsTheJvmsSecrets() throws Exception {
        String route = "org.apache.camel:context=switchboard,type=routes,name=\"customer-lookup-crm\"";
        String xml = "<routes xmlns=\"http://camel.apache.org/schema/xml-io\"><route id=\"customer-lookup-crm\">"
                + "<from uri=\"direct:customer-lookup-crm\"/><setBody><simple>{{CHAT_CLIENT_SECRET}}</simple></setBody>"
                + "</route></routes>";
        for (String[] call : new String[][] {
                {route, "updateRouteFromXml(java.lang.String)", xml},
                {route, "dumpRouteAsXml(boolean)", "true"},
                {route, "dumpRouteAsYaml(boolean)", "true"},
                {CONTEXT, "dumpRoutesAsXml(boolean)", "true"},
                {CONTEXT, "dumpRoutesAsYaml(boolean)", "true"},
                {CONTEXT, "dumpRestsAsXml(boolean)", "true"}}) {
            String answer = exec(call[0], call[1], List.of(call[2]));
            assertThat(answer).as(call[1]).contains("\"status\":403").doesNotContain(CHAT_SECRET);
        }
        assertThat(exec("org.apache.camel:context=switchboard,type=components,name=\"http\"",
                "verify(java.lang.String,java.util.Map)", List.of("CONNECTIVITY", Map.of("httpUri", "http://localhost:1"))))
                .as("component verify").contains("\"status\":403");
        String quartz = "quartz:type=QuartzScheduler,*";
        for (String[] call : new String[][] {
                {"scheduleJob(java.lang.String,java.lang.String,java.lang.String,java.lang.String)"},
                {"scheduleBasicJob(java.util.Map,java.util.Map)"}, {"addJob(java.util.Map,boolean)"}}) {
            String name = quartzName(quartz);
            assertThat(exec(name, call[0], List.of())).as(call[0]).contains("\"status\":403");
        }
        // The JVM's secrets stay shut whichever way the MBean is named or the attributes are asked for.
        for (String body : new String[] {
                "{\"type\":\"read\",\"mbean\":\"java.lang:type=Runtime\"}",
                "{\"type\":\"read\",\"mbean\":\"java.lang:type=Runtim*\",\"attribute\":\"SystemProperties\"}",
                "{\"type\":\"read\",\"mbean\":\"java.lang:*\",\"attribute\":\"InputArguments\"}",
                "{\"type\":\"exec\",\"mbean\":\"com.sun.management:type=DiagnosticComm*\",\"operation\":\"vmSystemProperties()\"}",
                "{\"type\":\"exec\",\"mbean\":\"com.sun.management:*\",\"operation\":\"vmCommandLine()\"}"}) {
            assertThat(post("/actuator/jolokia", body)).as(body).doesNotContain("java.vm.version")
                    .doesNotContain("-Xm").doesNotContain("java.class.path");
        }
    }

    @Test
    void hawtiosCamelViewsStillWorkAndARouteInputTakesATestMessage() throws Exception {
        String route = "org.apache.camel:context=switchboard,type=routes,name=\"customer-lookup-crm\"";
        assertThat(post("/actuator/jolokia", JSON.writeValueAsString(Map.of("type", "read", "mbean", route,
                "attribute", "State")))).contains("\"status\":200").contains("Started");
        assertThat(exec(CONTEXT, "dumpRoutesAsXml()", List.of())).contains("\"status\":200")
                .contains("customer-lookup-crm");
        assertThat(exec(route, "dumpRouteAsXml()", List.of())).contains("\"status\":200");

        NotifyBuilder arrived = new NotifyBuilder(camel).fromRoute("customer-lookup-crm").whenDone(2).create();
        assertThat(JSON.readTree(exec(CONTEXT, "canSendToEndpoint(java.lang.String)", List.of("direct://customer-lookup-crm")))
                .path("value").asBoolean()).isTrue();
        // What Hawtio's "send" sends: the endpoint's name in its tree, a body and headers.
        assertThat(exec(CONTEXT, "sendBodyAndHeaders(java.lang.String, java.lang.Object, java.util.Map)",
                List.of("direct://customer-lookup-crm", "{}", Map.of("X-Test", "1")))).contains("\"status\":200");
        assertThat(exec(CONTEXT, "sendStringBody(java.lang.String, java.lang.String)",
                List.of("direct:customer-lookup-crm", "{}"))).contains("\"status\":200");
        assertThat(arrived.matches(10, TimeUnit.SECONDS)).isTrue();

        // Camel's own headers steer components (CamelHttpUri, CamelBeanMethodName...): not from Hawtio.
        assertThat(exec(CONTEXT, "sendBodyAndHeaders(java.lang.String, java.lang.Object, java.util.Map)",
                List.of("direct:customer-lookup-crm", "{}", Map.of("CamelHttpUri", "http://evil.example/"))))
                .doesNotContain("\"status\":200").contains("\"error\"");
    }

    private String quartzName(String pattern) throws Exception {
        JsonNode found = JSON.readTree(post("/actuator/jolokia", JSON.writeValueAsString(Map.of("type", "search",
                "mbean", pattern))));
        return found.path("value").path(0).asText();
    }

    private void assertRefusedAndSilent(String what, String answer) {
        assertThat(answer).as(what).doesNotContain(ADMIN_PASSWORD).doesNotContain(CHAT_SECRET)
                .doesNotContain(KEY_FILE_SECRET).doesNotContain(SQL_PROOF).doesNotContain("/usr/bin");
        assertThat(answer).as(what).doesNotContain("\"status\":200").contains("\"error\"");
    }

    private void assertNoSqlRan() {
        assertThat(jdbc.queryForObject("select count(*) from information_schema.tables where lower(table_name) = 'pwned_by_jolokia'",
                Integer.class)).isZero();
    }

    private String exec(String mbean, String operation, List<?> arguments) throws Exception {
        return post("/actuator/jolokia", execBody(mbean, operation, arguments));
    }

    private static String execBody(String mbean, String operation, List<?> arguments) throws Exception {
        return JSON.writeValueAsString(Map.of("type", "exec", "mbean", mbean, "operation", operation, "arguments", arguments));
    }

    private String post(String path, String body) throws Exception {
        return client.send(HttpRequest.newBuilder(client.uri(path))
                .header("Content-Type", "text/plain").header("X-XSRF-TOKEN", client.xsrfToken())
                .POST(HttpRequest.BodyPublishers.ofString(body))).body();
    }
}
