package io.switchboard.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;

import org.apache.camel.http.base.HttpOperationFailedException;
import org.junit.jupiter.api.Test;

class FailureTest {

    @Test
    void refusedCredentialsAreNotRetried() {
        Failure failure = Failure.of(new RuntimeException(new CredentialsRejectedException("token endpoint said no")));
        assertThat(failure.category()).isEqualTo(ErrorCategory.CREDENTIALS);
        assertThat(failure.retryable()).isFalse();
        assertThat(failure.message()).contains("token endpoint said no");
    }

    @Test
    void forbiddenNamesTheMissingScopeFromWwwAuthenticate() {
        var http = new HttpOperationFailedException("http://crm/tasks", 403, "Forbidden", null,
                Map.of("WWW-Authenticate", "Bearer error=\"insufficient_scope\", scope=\"tasks:write\""), "");
        Failure failure = Failure.of(http);
        assertThat(failure.category()).isEqualTo(ErrorCategory.PERMISSION);
        assertThat(failure.message()).isEqualTo("HTTP 403 from http://crm/tasks (missing scope tasks:write)");
    }

    @Test
    void forbiddenNamesTheMissingScopeFromTheBody() {
        var http = new HttpOperationFailedException("http://crm/tasks?api_key=secret", 403, "Forbidden", null, Map.of(),
                "{\"error\":\"insufficient_scope\",\"scope\":\"tasks:write\"}");
        assertThat(Failure.of(http).message()).isEqualTo("HTTP 403 from http://crm/tasks (missing scope tasks:write)");
    }

    @Test
    void rateLimitedKeepsRetryAfter() {
        var http = new HttpOperationFailedException("http://crm/contacts", 429, "Too Many Requests", null,
                Map.of("retry-after", "7"), "");
        Failure failure = Failure.of(http);
        assertThat(failure.category()).isEqualTo(ErrorCategory.RATE_LIMITED);
        assertThat(failure.retryAfter()).isEqualTo(Duration.ofSeconds(7));
    }
}
