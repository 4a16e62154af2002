package io.switchboard.incident;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.util.Map;

import io.switchboard.reliability.AwaitingConnectionException;
import io.switchboard.reliability.CredentialsRejectedException;
import io.switchboard.reliability.InvalidDataException;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.junit.jupiter.api.Test;

/** What groups failures into one incident: the same cause is the same key, whichever integration met it. */
class CauseTest {

    @Test
    void aSystemAnswering503IsOneCauseForEveryIntegrationThatCallsIt() {
        Cause lead = Cause.of(new CamelExecutionException("failed", null, http(503)), "lead-intake", "lead-intake",
                "crm");
        Cause sync = Cause.of(http(503), "invoice-sync", "invoice-sync-page", "crm");

        assertThat(lead).isEqualTo(sync);
        assertThat(lead.kind()).isEqualTo(IncidentKind.SYSTEM_DOWN);
        assertThat(lead.title()).isEqualTo("crm answers 503");
        assertThat(Cause.of(http(502), "lead-intake", "lead-intake", "crm").key()).isNotEqualTo(lead.key());
    }

    @Test
    void aRefusedConnectionIsTheSystemBeingUnreachable() {
        Cause cause = Cause.of(new ConnectException("Connection refused"), "lead-intake", "lead-intake", "crm");
        assertThat(cause.kind()).isEqualTo(IncidentKind.SYSTEM_DOWN);
        assertThat(cause.title()).isEqualTo("crm cannot be reached");
    }

    @Test
    void aRevokedGrantIsACredentialsCauseOfItsConnection() {
        Cause cause = Cause.of(new AwaitingConnectionException("chat", "the grant was revoked"), "lead-intake",
                "lead-intake", null);
        assertThat(cause.kind()).isEqualTo(IncidentKind.CREDENTIALS);
        assertThat(cause.connection()).isEqualTo("chat");
        assertThat(cause.title()).isEqualTo("chat needs connecting");
        assertThat(Cause.of(new CredentialsRejectedException("401"), "invoice-sync", "invoice-sync", "billing").title())
                .isEqualTo("billing refuses the credentials");
    }

    @Test
    void badDataIsOneCausePerIntegrationAndABugOnePerRouteAndError() {
        Cause data = Cause.of(new InvalidDataException("email missing"), "lead-intake", "lead-intake", null);
        assertThat(data.kind()).isEqualTo(IncidentKind.DATA);
        assertThat(data.title()).isEqualTo("lead-intake: payloads fail validation");

        Cause bug = Cause.of(new CamelExecutionException("failed", null, new NullPointerException()), "lead-intake",
                "lead-intake-owner", null);
        assertThat(bug.kind()).isEqualTo(IncidentKind.BUG);
        assertThat(bug.title()).isEqualTo("route lead-intake-owner: bug NullPointerException");
        assertThat(Cause.of(new IllegalStateException(), "lead-intake", "lead-intake-owner", null).key())
                .isNotEqualTo(bug.key());
    }

    @Test
    void aRateLimitIsNoIncident() {
        assertThat(Cause.of(http(429), "lead-intake", "lead-intake", "crm")).isNull();
    }

    private static HttpOperationFailedException http(int status) {
        return new HttpOperationFailedException("http://crm.test/contacts", status, "status " + status, null, Map.of(),
                "");
    }
}
