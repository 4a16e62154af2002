package io.switchboard.reliability;

import java.util.Map;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import jakarta.annotation.PreDestroy;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.stereotype.Component;

/** The external system behind the test-only {@code probe-http} integration: a WireMock server on a free port. */
@Component("probeHttp")
public class ProbeHttp {

    private final WireMockServer server = new WireMockServer(WireMockConfiguration.options()
            .dynamicPort()
            .containerThreads(16)
            .jettyAcceptors(2));

    public ProbeHttp(ConfigurableEnvironment environment) {
        server.start();
        Integer unstubbed = environment.getProperty("switchboard.test.probe-http.unstubbed-status", Integer.class);
        if (unstubbed != null) {
            // The lowest priority: whatever a test stubs later wins; until then requests get this status.
            server.stubFor(WireMock.any(WireMock.anyUrl()).atPriority(Integer.MAX_VALUE)
                    .willReturn(WireMock.aResponse().withStatus(unstubbed).withHeader("Retry-After", "1")));
        }
        // Read when an alert is sent (the chat webhook URL names it), long after start. A
        // property of this context, not of the JVM: another test context has its own server.
        environment.getPropertySources().addFirst(new MapPropertySource("probe-http",
                Map.of("switchboard.test.wiremock-url", url())));
    }

    public String url() {
        return "http://localhost:" + server.port();
    }

    public WireMockServer server() {
        return server;
    }

    @PreDestroy
    void stop() {
        server.stop();
    }
}
