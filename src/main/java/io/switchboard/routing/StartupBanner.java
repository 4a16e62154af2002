package io.switchboard.routing;

import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/** Tells the person who just started the server where to go, and which routes are running. */
@Component
class StartupBanner {

    private static final Logger log = LoggerFactory.getLogger(StartupBanner.class);

    @EventListener
    void ready(ApplicationReadyEvent event) {
        if (!(event.getApplicationContext() instanceof WebServerApplicationContext web)
                || web.getWebServer() == null) {
            return;
        }
        String base = "http://localhost:" + web.getWebServer().getPort();
        CamelContext camel = event.getApplicationContext().getBean(CamelContext.class);
        log.info("""

                Switchboard is up.
                  Console:       {}/console
                  Hawtio:        {}/actuator/hawtio
                  Webhooks:      {}/webhooks/{integration}
                  Health:        {}/actuator/health
                  Routes loaded: {}""",
                base, base, base, base, camel.getRoutes().stream().map(r -> r.getRouteId()).sorted().toList());
    }
}
