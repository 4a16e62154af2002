package io.switchboard.integration;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.apache.camel.CamelContext;

import org.apache.camel.model.EnrichDefinition;
import org.apache.camel.model.Model;
import org.apache.camel.model.PollEnrichDefinition;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.ToDefinition;
import org.apache.camel.model.ToDynamicDefinition;

/** The calls a route makes, read from its definition: what the contract checks and what the card lists. */
public final class RouteCalls {

    /**
     * The header of a call's answer that says the target had done this already: it answered a
     * repeated {@code Idempotency-Key} with the first result ({@code Idempotent-Replayed: true},
     * as Stripe and the sandbox do). A {@code connection:} call leaves it on the message only when
     * its own answer carries it; a once-only step records it as {@code already-done}.
     */
    public static final String IDEMPOTENT_REPLAYED = "Idempotent-Replayed";

    private static final String CONNECTION = "connection:";

    private RouteCalls() {
    }

    /** The endpoint a step calls ({@code to}, {@code toD}, {@code enrich}, {@code pollEnrich}), or null. */
    public static String callUri(ProcessorDefinition<?> step) {
        if (step instanceof ToDefinition to) {
            return to.getEndpointUri();
        }
        if (step instanceof ToDynamicDefinition to) {
            return to.getUri();
        }
        if (step instanceof EnrichDefinition enrich) {
            return enrich.getExpression() == null ? null : enrich.getExpression().getExpression();
        }
        if (step instanceof PollEnrichDefinition enrich) {
            return enrich.getExpression() == null ? null : enrich.getExpression().getExpression();
        }
        return null;
    }

    /** The connections a route calls by name ({@code connection:crm/contacts} is {@code crm}), in order. */
    public static Set<String> connections(RouteDefinition route) {
        Set<String> names = new LinkedHashSet<>();
        collect(route.getOutputs(), names);
        return names;
    }

    /**
     * The connections every route of an integration calls (its main route and the routes it owns,
     * {@code <id>-...}): what a test event or a drill would reach.
     */
    public static Set<String> connectionsOfIntegration(CamelContext camel, IntegrationsProperties integrations,
            String integration) {
        Model model = camel.getCamelContextExtension().getContextPlugin(Model.class);
        Set<String> called = new TreeSet<>();
        model.getRouteDefinitions().stream()
                .filter(route -> integrations.ownerOfRoute(route.getRouteId()).filter(integration::equals).isPresent())
                .forEach(route -> called.addAll(connections(route)));
        return called;
    }

    private static void collect(List<ProcessorDefinition<?>> steps, Set<String> names) {
        for (ProcessorDefinition<?> step : steps) {
            String uri = callUri(step);
            if (uri != null && uri.startsWith(CONNECTION)) {
                String rest = uri.substring(CONNECTION.length());
                int end = rest.length();
                for (char stop : new char[] {'/', '?'}) {
                    int at = rest.indexOf(stop);
                    if (at >= 0 && at < end) {
                        end = at;
                    }
                }
                names.add(rest.substring(0, end));
            }
            collect(step.getOutputs(), names);
        }
    }
}
