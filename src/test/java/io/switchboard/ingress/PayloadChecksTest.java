package io.switchboard.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class PayloadChecksTest {

    private final PayloadChecks checks = new PayloadChecks(new ObjectMapper(),
            List.of(Path.of("routes"), Path.of("config/schemas"), Path.of("src/test/resources/schemas")));

    @Test
    void aBodyNestedDeeperThanTheLimitIsRefusedSayingSoAndTheLimitItselfPasses() {
        String atLimit = "[".repeat(PayloadChecks.MAX_NESTING) + "]".repeat(PayloadChecks.MAX_NESTING);
        assertThat(checks.parse(atLimit.getBytes(StandardCharsets.UTF_8)).isArray()).isTrue();
        String deeper = "{\"a\":".repeat(PayloadChecks.MAX_NESTING + 1) + "1" + "}".repeat(PayloadChecks.MAX_NESTING + 1);
        assertThatThrownBy(() -> checks.parse(deeper.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(WebhookRejection.class)
                .hasMessageContaining("nesting depth");
    }

    @Test
    void missingRequiredFieldIsNamed() {
        var document = checks.parse("{\"email\":\"a@example.com\"}".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> checks.validate("lead-intake", document))
                .isInstanceOf(WebhookRejection.class)
                .hasMessageContaining("submissionId");
    }

    @Test
    void leadWithoutSubmissionIdAndEmailIsRefusedNamingBoth() {
        // The lead's required fields are checked here only: LeadValidation checks plausibility.
        var document = checks.parse("{\"firstName\":\"Ada\"}".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> checks.validate("lead-intake", document))
                .isInstanceOf(WebhookRejection.class)
                .hasMessageContaining("submissionId")
                .hasMessageContaining("email");
    }

    @Test
    void schemaFromASecondDirectoryIsUsed() {
        var document = checks.parse("{\"other\":1}".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> checks.validate("probe", document)).hasMessageContaining("orderId");
    }

    @Test
    void malformedJsonNamesLineAndColumn() {
        assertThatThrownBy(() -> checks.parse("{\n  \"a\": 1,,\n}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(WebhookRejection.class)
                .hasMessageContaining("line 2, column");
    }

    @Test
    void integrationWithoutSchemaAcceptsAnyJson() {
        var document = checks.parse("{\"x\":1}".getBytes(StandardCharsets.UTF_8));
        checks.validate("no-schema-here", document);
        assertThat(document.get("x").asInt()).isEqualTo(1);
    }
}
