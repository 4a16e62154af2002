package io.switchboard.alerting;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.util.List;

import org.junit.jupiter.api.Test;

class AlertsTest {

    private final RecordingAlertSink sink = new RecordingAlertSink();
    private final Alerts alerts = new Alerts(List.of(sink), Clock.systemUTC());

    @Test
    void oneOutageIsOneAlertWithACount() {
        for (int i = 0; i < 5; i++) {
            alerts.raise("connection:crm:credentials-rejected", "CRM credentials rejected", "invalid_client");
        }
        assertThat(sink.raised("connection:crm:credentials-rejected")).hasSize(1);
        assertThat(alerts.active()).singleElement().satisfies(a -> assertThat(a.count()).isEqualTo(5));
    }

    @Test
    void afterResolvingTheNextOccurrenceAlertsAgain() {
        alerts.raise("k", "t", "d");
        alerts.raise("k", "t", "d");
        alerts.resolve("k");
        assertThat(sink.resolved("k")).singleElement().satisfies(a -> assertThat(a.count()).isEqualTo(2));
        assertThat(alerts.active()).isEmpty();
        assertThat(alerts.raise("k", "t", "d")).isTrue();
        assertThat(sink.raised("k")).hasSize(2);
    }

    @Test
    void aBrokenSinkDoesNotHideTheAlertFromTheOthers() {
        AlertSink broken = alert -> {
            throw new IllegalStateException("chat is down");
        };
        Alerts both = new Alerts(List.of(broken, sink), Clock.systemUTC());
        both.raise("k2", "t", "d");
        assertThat(sink.raised("k2")).hasSize(1);
    }
}
