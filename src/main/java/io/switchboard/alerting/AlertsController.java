package io.switchboard.alerting;

import java.util.List;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/alerts}: the latest alerts, ongoing first in mind, newest first. */
@RestController
class AlertsController {

    private final Alerts alerts;

    AlertsController(Alerts alerts) {
        this.alerts = alerts;
    }

    @GetMapping("/api/alerts")
    List<Alert> recent(@RequestParam(defaultValue = "50") int limit,
            @RequestParam(defaultValue = "false") boolean activeOnly) {
        return activeOnly ? alerts.active() : alerts.recent(limit);
    }
}
