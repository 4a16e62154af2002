package io.switchboard.schedule;

import io.switchboard.integration.CardChanged;
import io.switchboard.integration.IntegrationsProperties;
import io.switchboard.integration.Trigger;
import org.apache.camel.builder.RouteBuilder;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Runs a scheduled integration's runs from its inbox: for each integration with
 * {@code trigger: schedule}, the route {@code <id>-runs} takes a run event (put there by the
 * cron route's {@code to: inbox:<id>}, by {@code POST /api/integrations/<id>/runs} or by a
 * replay) and hands it to {@code direct:<id>}, the integration's own route. So a run is in
 * the journal with its trail, is retried with the inbox's backoff when it fails, and is
 * parked as a dead letter whose replay runs it again, like any event.
 */
@Component
class ScheduledRunRoutes extends RouteBuilder {

    private final IntegrationsProperties integrations;

    ScheduledRunRoutes(IntegrationsProperties integrations) {
        this.integrations = integrations;
    }

    @Override
    public void configure() {
        integrations.all().forEach((id, integration) -> {
            if (integration.trigger() == Trigger.SCHEDULE) {
                runs(this, id);
            }
        });
    }

    private static void runs(RouteBuilder routes, String id) {
        // One run at a time on this node; InboxStore.startRun keeps it to one in the cluster.
        routes.from("inbox:" + id + "?concurrency=1&batchSize=1").routeId(id + "-runs")
                .routeDescription("Runs " + id + " (from its schedule, a person or a replay)")
                .to("direct:" + id);
    }

    /** A schedule integration whose card came while the server runs (dev) gets its runs route too. */
    @EventListener
    public void cardChanged(CardChanged changed) throws Exception {
        String id = changed.integration();
        boolean schedule = integrations.find(id).filter(i -> i.trigger() == Trigger.SCHEDULE).isPresent();
        if (schedule && getContext() != null && getContext().getRoute(id + "-runs") == null) {
            getContext().addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    runs(this, id);
                }
            });
        }
    }
}
