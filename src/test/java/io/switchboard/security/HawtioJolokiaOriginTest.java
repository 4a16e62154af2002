package io.switchboard.security;

import static io.switchboard.security.AccessRulesTest.basic;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;

import io.switchboard.SwitchboardTest;
import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Hawtio and Jolokia answer the server's own origin only, need the CSRF token for a change
 * made with a session, refuse exec and write over GET, and keep secret-bearing MBeans shut.
 */
@SwitchboardTest
class HawtioJolokiaOriginTest {

    private static final String EVIL = "https://evil.example";
    private static final String GC = "{\"type\":\"exec\",\"mbean\":\"java.lang:type=Memory\",\"operation\":\"gc()\"}";
    private static final String STOP_LOOKUP = "/actuator/jolokia/exec/org.apache.camel:context=switchboard,"
            + "type=routes,name=%22customer-lookup%22/stop()";

    @LocalServerPort
    int port;

    @Autowired
    CamelContext camel;

    private Browserless client;
    private final String admin = basic("admin", "admin-test-password");

    @BeforeEach
    void setUp() {
        client = new Browserless(port);
    }

    @Test
    void preflightFromAForeignOriginGetsNoCorsHeaders() throws Exception {
        for (String path : new String[] {"/actuator/jolokia", "/actuator/hawtio/jolokia", "/actuator/hawtio/auth/login"}) {
            HttpResponse<String> preflight = client.send(HttpRequest.newBuilder(client.uri(path))
                    .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                    .header("Origin", EVIL)
                    .header("Access-Control-Request-Method", "POST"));
            assertThat(preflight.statusCode()).as(path).isEqualTo(403);
            assertThat(preflight.headers().map().keySet()).as(path)
                    .noneMatch(name -> name.toLowerCase().startsWith("access-control-"));
        }
    }

    @Test
    void requestFromAForeignOriginIsRefusedEvenWithTheAdminsCredentials() throws Exception {
        HttpResponse<String> read = client.send(HttpRequest.newBuilder(
                        client.uri("/actuator/jolokia/read/java.lang:type=Runtime/Uptime"))
                .header("Authorization", admin).header("Origin", EVIL));
        assertThat(read.statusCode()).isEqualTo(403);
        assertThat(read.body()).doesNotContain("\"value\"");
        assertThat(read.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        HttpResponse<String> sameSite = client.send(HttpRequest.newBuilder(client.uri("/actuator/jolokia"))
                .header("Authorization", admin).header("Sec-Fetch-Site", "same-site").header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString(GC)));
        assertThat(sameSite.statusCode()).as("another port of the same host").isEqualTo(403);
    }

    @Test
    void ownOriginIsAnsweredWithoutEchoingCorsHeaders() throws Exception {
        HttpResponse<String> read = client.send(HttpRequest.newBuilder(
                        client.uri("/actuator/jolokia/read/java.lang:type=Runtime/Uptime"))
                .header("Authorization", admin).header("Origin", "http://localhost:" + port)
                .header("Sec-Fetch-Site", "same-origin"));
        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(read.body()).contains("\"status\":200");
        assertThat(read.headers().map().keySet()).noneMatch(name -> name.toLowerCase().startsWith("access-control-"));
    }

    @Test
    void execAndWriteOverGetAreRefused() throws Exception {
        assertThat(camel.getRouteController().getRouteStatus("customer-lookup")).isEqualTo(ServiceStatus.Started);
        for (String path : new String[] {STOP_LOOKUP, "/actuator/jolokia/EXEC/java.lang:type=Memory/gc()",
                "/actuator/jolokia/?p=/exec/java.lang:type=Memory/gc()",
                "/actuator/jolokia/write/java.lang:type=Memory/Verbose/true",
                "/actuator/hawtio/jolokia/exec/java.lang:type=Memory/gc()"}) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(client.uri(path))
                    .header("Authorization", admin));
            assertThat(response.statusCode()).as(path).isEqualTo(403);
            assertThat(response.body()).as(path).contains("POST");
        }
        assertThat(camel.getRouteController().getRouteStatus("customer-lookup")).isEqualTo(ServiceStatus.Started);
    }

    @Test
    void jolokiaPostWithASessionNeedsTheCsrfToken() throws Exception {
        assertThat(client.logInToHawtio("admin", "admin-test-password")).isEqualTo(200);
        HttpResponse<String> withoutToken = client.send(HttpRequest.newBuilder(client.uri("/actuator/jolokia"))
                .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString(GC)));
        assertThat(withoutToken.statusCode()).isEqualTo(403);
        HttpResponse<String> withToken = client.send(HttpRequest.newBuilder(client.uri("/actuator/jolokia"))
                .header("Content-Type", "text/plain").header("X-XSRF-TOKEN", client.xsrfToken())
                .POST(HttpRequest.BodyPublishers.ofString(GC)));
        assertThat(withToken.statusCode()).isEqualTo(200);
        assertThat(withToken.body()).contains("\"status\":200");

        // What Hawtio's Camel views do with the admin's session and token: stop and start a route.
        String route = "org.apache.camel:context=switchboard,type=routes,name=\\\"customer-lookup\\\"";
        try {
            assertThat(jolokia("{\"type\":\"exec\",\"mbean\":\"" + route + "\",\"operation\":\"stop()\"}"))
                    .contains("\"status\":200");
            assertThat(camel.getRouteController().getRouteStatus("customer-lookup")).isEqualTo(ServiceStatus.Stopped);
        } finally {
            assertThat(jolokia("{\"type\":\"exec\",\"mbean\":\"" + route + "\",\"operation\":\"start()\"}"))
                    .contains("\"status\":200");
        }
        assertThat(camel.getRouteController().getRouteStatus("customer-lookup")).isEqualTo(ServiceStatus.Started);
    }

    private String jolokia(String request) throws Exception {
        return client.send(HttpRequest.newBuilder(client.uri("/actuator/jolokia"))
                .header("Content-Type", "text/plain").header("X-XSRF-TOKEN", client.xsrfToken())
                .POST(HttpRequest.BodyPublishers.ofString(request))).body();
    }

    @Test
    void sessionAndCsrfCookiesAreSameSiteStrict() throws Exception {
        HttpResponse<String> page = client.send(HttpRequest.newBuilder(client.uri("/login")));
        assertThat(page.headers().allValues("Set-Cookie"))
                .anySatisfy(cookie -> assertThat(cookie).startsWith("XSRF-TOKEN="))
                .allSatisfy(cookie -> assertThat(cookie).contains("SameSite=Strict"));
        client.logIn("admin", "admin-test-password");
        assertThat(client.loginResponse.headers().allValues("Set-Cookie"))
                .anySatisfy(cookie -> assertThat(cookie).startsWith("JSESSIONID=").contains("HttpOnly"))
                .allSatisfy(cookie -> assertThat(cookie).contains("SameSite=Strict"));
    }

    @Test
    void secretBearingMBeansAreShutEvenToTheAdmin() throws Exception {
        for (String body : new String[] {
                "{\"type\":\"read\",\"mbean\":\"java.lang:type=Runtime\",\"attribute\":\"SystemProperties\"}",
                "{\"type\":\"read\",\"mbean\":\"java.lang:type=Runtime\",\"attribute\":\"InputArguments\"}",
                "{\"type\":\"exec\",\"mbean\":\"com.sun.management:type=DiagnosticCommand\",\"operation\":\"vmSystemProperties()\"}",
                "{\"type\":\"exec\",\"mbean\":\"com.sun.management:type=HotSpotDiagnostic\","
                        + "\"operation\":\"dumpHeap(java.lang.String,boolean)\",\"arguments\":[\"target/heap.hprof\",true]}"}) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(client.uri("/actuator/jolokia"))
                    .header("Authorization", admin).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)));
            assertThat(response.body()).as(body).contains("\"status\":403").doesNotContain("java.version");
        }
        assertThat(Path.of("target/heap.hprof")).doesNotExist();
        HttpResponse<String> routes = client.send(HttpRequest.newBuilder(client.uri("/actuator/jolokia"))
                .header("Authorization", admin).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"read\",\"mbean\":\"org.apache.camel:context="
                        + "switchboard,type=routes,name=\\\"lead-intake\\\"\",\"attribute\":\"State\"}")));
        assertThat(routes.body()).as("Hawtio's Camel views keep working").contains("\"status\":200")
                .contains("Started");
    }
}
