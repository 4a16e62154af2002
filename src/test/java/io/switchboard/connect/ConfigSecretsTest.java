package io.switchboard.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import org.junit.jupiter.api.Test;
import org.springframework.boot.env.OriginTrackedMapPropertySource;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.origin.OriginTrackedValue;
import org.springframework.boot.origin.TextResourceOrigin;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.FileSystemResource;

/** Committed configuration under ./config names connection secrets only as environment placeholders. */
class ConfigSecretsTest {

    @Test
    void literalSecretInACommittedConfigFileStopsTheStartNamingFileAndKey() {
        var environment = environmentWith("config/application-postgres.yaml",
                Map.of("switchboard.connections.crm.auth.client-secret", "hunter2"));
        assertThatThrownBy(() -> ConfigSecrets.check(environment))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("switchboard.connections.crm.auth.client-secret")
                .hasMessageContaining("application-postgres.yaml")
                .hasMessageContaining("${CRM_CLIENT_SECRET}")
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void placeholderWithALiteralDefaultIsALiteralSecret() {
        var environment = environmentWith("config/application.yaml",
                Map.of("switchboard.connections.mail.auth.key", "${MAIL_API_KEY:real-key}"));
        assertThatThrownBy(() -> ConfigSecrets.check(environment)).hasMessageContaining("auth.key");
    }

    @Test
    void secretVariableSetInACommittedFileIsRefusedToo() {
        var environment = environmentWith("config/application-cluster.yaml", Map.of(
                "switchboard.connections.crm.auth.client-secret", "${CRM_CLIENT_SECRET}",
                "CRM_CLIENT_SECRET", "hunter2"));
        assertThatThrownBy(() -> ConfigSecrets.check(environment))
                .hasMessageContaining("CRM_CLIENT_SECRET in")
                .hasMessageContaining("application-cluster.yaml");
    }

    @Test
    void placeholdersAreFine() {
        var environment = environmentWith("config/application.yaml", Map.of(
                "switchboard.connections.crm.auth.client-secret", "${CRM_CLIENT_SECRET:}",
                "switchboard.connections.mail.auth.key", "${MAIL_API_KEY}",
                "switchboard.connections.crm.auth.client-id", "a-literal-client-id-is-no-secret"));
        assertThatCode(() -> ConfigSecrets.check(environment)).doesNotThrowAnyException();
    }

    @Test
    void theDemoProfileFileAndFilesOutsideConfigMayHoldDemoValues() {
        var environment = environmentWith("config/application-default.yaml", Map.of(
                "switchboard.connections.crm.auth.client-secret", "demo-only", "CRM_CLIENT_SECRET", "demo-only"));
        environment.getPropertySources().addLast(new MapPropertySource("commandLineArgs",
                Map.of("switchboard.connections.mail.auth.key", "from-the-command-line")));
        assertThatCode(() -> ConfigSecrets.check(environment)).doesNotThrowAnyException();
    }

    @Test
    void theCommittedConfigFolderPasses() throws Exception {
        var environment = new StandardEnvironment();
        YamlPropertySourceLoader yaml = new YamlPropertySourceLoader();
        for (File file : Objects.requireNonNull(new File("config").listFiles((dir, name) -> name.endsWith(".yaml")))) {
            yaml.load(file.getPath(), new FileSystemResource(file)).forEach(environment.getPropertySources()::addLast);
        }
        assertThatCode(() -> ConfigSecrets.check(environment)).doesNotThrowAnyException();
        assertThat(ConfigSecrets.variableFor(environment, "switchboard.connections.crm.auth.client-secret"))
                .isEqualTo("CRM_CLIENT_SECRET");
    }

    private static StandardEnvironment environmentWith(String file, Map<String, String> values) {
        var origin = new TextResourceOrigin(new FileSystemResource(file), null);
        Map<String, Object> tracked = new LinkedHashMap<>();
        values.forEach((key, value) -> tracked.put(key, OriginTrackedValue.of(value, origin)));
        var environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new OriginTrackedMapPropertySource(
                "Config resource 'file [" + file + "]'", tracked));
        return environment;
    }
}
