package io.switchboard.routing;

import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;

/**
 * A start that failed on a missing or wrong {@code switchboard.*} setting (an empty webhook
 * secret, a user without a role...) ends with one short block saying which setting and what
 * to do, before any stack trace. The checks that refuse a setting all name it first, so the
 * message itself is the description.
 */
public class SettingFailureAnalyzer implements FailureAnalyzer {

    @Override
    public FailureAnalysis analyze(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            String message = cause.getMessage();
            if (cause instanceof IllegalStateException && message != null && message.startsWith("switchboard.")) {
                return new FailureAnalysis("A setting stops the start: " + message,
                        "Set it on the integration's card (routes/<id>.card.yaml), in config/ or in the environment "
                                + "(secrets only as ${ENV_VAR} placeholders). With no profile set, the demo profile "
                                + "supplies demo secrets and generates the missing webhook secrets; "
                                + "SPRING_PROFILES_ACTIVE=dev includes it. See README.md#configuration and "
                                + "src/docs/operations.md.",
                        cause);
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return null;
    }
}
