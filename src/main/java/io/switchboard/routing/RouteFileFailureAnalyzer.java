package io.switchboard.routing;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.switchboard.reliability.RouteContract;
import org.apache.camel.FailedToCreateRouteException;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;

/**
 * Turns a start that failed on a broken route file into a short message naming the
 * file, the line and what is wrong, instead of leaving the operator to dig the one
 * useful line out of a long stack trace.
 */
public class RouteFileFailureAnalyzer implements FailureAnalyzer {

    private static final Pattern LOCATION = Pattern.compile("in (?:file:)?(\\S+?\\.ya?ml), line (\\d+), column (\\d+)");

    @Override
    public FailureAnalysis analyze(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            String message = cause.getMessage();
            if (message != null) {
                Matcher location = LOCATION.matcher(message);
                if (location.find()) {
                    String problem = message.substring(0, location.start()).trim();
                    return new FailureAnalysis(
                            "Route file " + location.group(1) + " is broken at line " + location.group(2)
                                    + ", column " + location.group(3) + ": " + (problem.isEmpty() ? cause.getClass().getSimpleName() : problem),
                            "Fix that file (or move it out of the routes folder) and start again. "
                                    + "The YAML DSL reference lists the valid steps: "
                                    + "https://camel.apache.org/components/latest/others/yaml-dsl.html",
                            cause);
                }
            }
            if (cause instanceof RouteContract.Violation violation) {
                return new FailureAnalysis(violation.getMessage(),
                        "Change the route file in the routes folder as the message says (every contract "
                                + "message and what to do: src/docs/writing-integrations.md, section 4), then start again.",
                        cause);
            }
            if (cause instanceof FailedToCreateRouteException routeFailure) {
                return new FailureAnalysis(
                        "Route '" + routeFailure.getRouteId() + "' could not be created: " + rootMessage(routeFailure),
                        "Fix the route with id '" + routeFailure.getRouteId() + "' in the routes folder and start again.",
                        cause);
            }
        }
        return null;
    }

    private static String rootMessage(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
