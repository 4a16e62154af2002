package io.switchboard.sandbox;

import static io.switchboard.sandbox.SandboxClient.ADMIN;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import io.switchboard.SwitchboardApplication;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/** The sandbox keeps its state in the database, so a restarted server finds what the integrations did. */
class SandboxRestartTest {

    @TempDir
    Path data;

    @Test
    void sandboxStateSurvivesARestart() throws Exception {
        String url = "jdbc:h2:file:" + data.resolve("switchboard")
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH";
        try (ConfigurableApplicationContext first = start(url)) {
            SandboxClient sandbox = new SandboxClient(port(first));
            String token = "Bearer " + sandbox.token("contacts:write");
            assertThat(sandbox.post("/sandbox/crm/contacts", "{\"email\":\"restart@example.com\",\"firstName\":\"Ada\"}",
                    "Authorization", token).statusCode()).isEqualTo(201);
            assertThat(sandbox.post("/sandbox/chat/messages/test-chat-token", "{\"text\":\"before the restart\"}")
                    .statusCode()).isEqualTo(200);
        }
        try (ConfigurableApplicationContext second = start(url)) {
            SandboxClient sandbox = new SandboxClient(port(second));
            assertThat(sandbox.get("/sandbox/crm/contacts?email=restart@example.com", "Authorization", ADMIN).body())
                    .contains("\"firstName\":\"Ada\"");
            assertThat(sandbox.get("/sandbox/chat/messages", "Authorization", ADMIN).body())
                    .contains("before the restart");
            // Seeding happens once: the second start keeps the three reps it found.
            assertThat(second.getBean(JdbcTemplate.class)
                    .queryForObject("select count(*) from sandbox_crm_user", Integer.class)).isEqualTo(3);
        }
    }

    private static ConfigurableApplicationContext start(String url) {
        return new SpringApplicationBuilder(SwitchboardApplication.class)
                .web(WebApplicationType.SERVLET)
                .profiles("test")
                .run("--spring.datasource.url=" + url, "--camel.springboot.main-run-controller=false",
                        "--server.port=0");
    }

    private static int port(ConfigurableApplicationContext context) {
        return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
    }

}
