package io.switchboard.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.reliability.ErrorCategory;
import io.switchboard.reliability.Failure;
import io.switchboard.reliability.InvalidDataException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** A route's path stays under its connection's base URL, however the data spells a way out. */
class ConnectionPathsTest {

    @Test
    void pathsAreJoinedUnderTheEndpointsPath() {
        assertThat(ConnectionPaths.join("contacts", "42")).isEqualTo("contacts/42");
        assertThat(ConnectionPaths.join("contacts/", "/42")).isEqualTo("contacts/42");
        assertThat(ConnectionPaths.join("", "contacts/42")).isEqualTo("contacts/42");
        assertThat(ConnectionPaths.join("contacts", null)).isEqualTo("contacts");
        assertThat(ConnectionPaths.join("contacts", "a.b/..c/c../...")).isEqualTo("contacts/a.b/..c/c../...");
        assertThat(ConnectionPaths.join("files", "report%20q1.pdf")).isEqualTo("files/report%20q1.pdf");
    }

    @ParameterizedTest
    @ValueSource(strings = {"..", "../admin", "42/../../admin", "42/..", "%2e%2e/admin", "%2E%2E/admin", ".%2e/admin",
            "%2e./admin", "%252e%252e/admin", "%25252e%25252e/admin", "..%2fadmin", "42%2f..%2f..%2fadmin",
            "..\\admin", "42\\..\\admin", "%5c..%5cadmin", "..;x=1/admin", "42/%2e%2e;/admin", "42/%00/admin",
            "%2525252e%2525252e/admin"})
    void aWayOutOfTheBasePathIsRefusedAsInvalidData(String more) {
        assertThatThrownBy(() -> ConnectionPaths.join("contacts", more))
                .isInstanceOf(InvalidDataException.class)
                .hasMessageContaining("stays under its connection's base URL");
        assertThat(Failure.of(new RuntimeException(catchRefusal(more))).category())
                .as("never retried").isEqualTo(ErrorCategory.INVALID_DATA);
        assertThat(ErrorCategory.INVALID_DATA.retryable()).isFalse();
    }

    @Test
    void theFinalUrlMustStayUnderTheBaseUrl() {
        assertThat(ConnectionPaths.within("https://crm.example/api/v1", "https://crm.example/api/v1/contacts/42")).isTrue();
        assertThat(ConnectionPaths.within("https://crm.example/api/v1/", "https://crm.example/api/v1")).isTrue();
        assertThat(ConnectionPaths.within("https://crm.example", "https://crm.example/contacts")).isTrue();
        assertThat(ConnectionPaths.within("https://crm.example/api/v1", "https://crm.example/api/v10/contacts")).isFalse();
        assertThat(ConnectionPaths.within("https://crm.example/api/v1", "https://crm.example/admin")).isFalse();
        assertThat(ConnectionPaths.within("https://crm.example/api", "https://evil.example/api/x")).isFalse();
        assertThat(ConnectionPaths.within("https://crm.example/api", "https://crm.example:8443/api/x")).isFalse();
        assertThatThrownBy(() -> ConnectionPaths.requireWithin("https://crm.example/api", "https://crm.example/x", "x"))
                .isInstanceOf(InvalidDataException.class).hasMessageContaining("outside the connection's base URL");
    }

    private static InvalidDataException catchRefusal(String more) {
        try {
            ConnectionPaths.join("contacts", more);
        } catch (InvalidDataException refused) {
            return refused;
        }
        throw new AssertionError("not refused: " + more);
    }
}
