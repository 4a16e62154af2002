package io.switchboard.browser;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import io.switchboard.SwitchboardTest;
import io.switchboard.ingress.Webhooks;
import io.switchboard.reliability.ProbeHttp;
import io.switchboard.support.IntegrationTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.Alert;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The console in a real browser, as an on-call person uses it: log in, find a lead by what
 * the form sent, read its step trail, replay a dead letter and watch its event finish, send a
 * test event and re-run events, connect the team chat on the provider's consent page, and see
 * that a viewer gets no buttons that change anything.
 */
@SwitchboardTest
class ConsoleBrowserIT extends IntegrationTestSupport {

    private static WebDriver driver;

    @Autowired
    ProbeHttp probeHttp;

    @BeforeAll
    static void startBrowser() throws Exception {
        driver = Browser.start();
    }

    @AfterAll
    static void stopBrowser() {
        if (driver != null) {
            driver.quit();
        }
    }

    /** The team chat is shared by every test: one that stopped halfway leaves it connected all the same. */
    @AfterEach
    void chatStaysConnected() throws Exception {
        if (!"connected".equals(chat().path("connect").path("standing").asText())) {
            reconnectChat();
        }
    }

    @Test
    void loginRefusesAWrongPasswordThenShowsTheCardsWithAHawtioLink() throws Exception {
        driver.manage().deleteAllCookies();
        driver.get(base() + "/console");
        WebDriverWait wait = waiting();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username")));
        Browser.screenshot(driver, "console-login");

        submitLogin("operator", "not-the-password");
        wait.until(ExpectedConditions.urlContains("/login?error"));
        Browser.screenshot(driver, "console-login-refused");
        assertThat(driver.findElement(testId("login-error")).getText()).isEqualTo("Wrong user or password.");
        assertThat(driver.findElement(testId("login-hint")).getText()).as("the demo's hint: the sandbox is on")
                .contains("printed once in the server's log");
        driver.get(base() + "/console");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username")));

        submitLogin("operator", "operator-test-password");
        Browser.awaitSignedIn(driver, wait, "operator");
        WebElement card = wait.until(ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector("[data-testid=integration-card][data-integration=lead-intake]")));
        assertThat(text(card)).contains("Website form lead").contains("sales-ops").contains("Source of truth")
                .contains("CRM").contains("Failed attempts").contains("Dead letters").contains("SLA");
        String hawtio = card.findElement(testId("hawtio-link")).getAttribute("href");
        assertThat(hawtio).isEqualTo(base() + "/actuator/hawtio/camel/routes");
        Browser.screenshot(driver, "console-integrations");

        driver.findElement(testId("nav-alerts")).click();
        wait.until(d -> !d.findElements(By.cssSelector("[data-testid=alert], [data-testid=alerts-empty]")).isEmpty());
        Browser.screenshot(driver, "console-alerts");

        driver.get(hawtio);
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("input[type=password]")));
        assertThat(driver.getTitle()).containsIgnoringCase("hawtio");
    }

    @Test
    void postedLeadIsFoundBySearchAndItsDetailShowsEveryStep() throws Exception {
        String submissionId = "form-" + UUID.randomUUID();
        String email = "ada-" + UUID.randomUUID().toString().substring(0, 8) + "@analytical-engines.co.uk";
        var accepted = new Webhooks(port).postSigned("lead-intake", LEAD_INTAKE_SECRET, "{\"submissionId\":\"" + submissionId
                + "\",\"email\":\"" + email + "\",\"firstName\":\"Ada\",\"lastName\":\"Lovelace\","
                + "\"company\":\"Analytical Engines\",\"source\":\"website\"}");
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        String eventId = json.readTree(accepted.body()).get("eventId").asText();
        awaitStatus(eventId, "DONE");

        WebDriverWait wait = logIn("operator", "operator-test-password");
        driver.findElement(testId("nav-events")).click();
        search(wait, submissionId);
        WebElement row = wait.until(ExpectedConditions.visibilityOfElementLocated(eventRow(eventId)));
        // The lead and, once emitted, its lead.created follow-up: both carry the submissionId.
        assertThat(driver.findElements(testId("event-row")))
                .allSatisfy(r -> assertThat(r.getText()).containsAnyOf("lead-intake", "lead-followup"));
        assertThat(row.getText()).contains("lead-intake").contains("DONE");
        Browser.screenshot(driver, "console-events-search");

        search(wait, email);
        wait.until(ExpectedConditions.visibilityOfElementLocated(eventRow(eventId)));
        assertThat(driver.findElements(testId("event-row")))
                .allSatisfy(r -> assertThat(r.getText()).containsAnyOf("lead-intake", "lead-followup"));

        driver.findElement(eventRow(eventId)).findElement(testId("event-link")).click();
        wait.until(ExpectedConditions.textToBe(testId("event-id"), eventId));
        wait.until(ExpectedConditions.textToBe(testId("event-status"), "DONE"));
        List<String> trail = jdbc.queryForList("select step from event_step where event_id = ? order by id",
                String.class, eventId);
        assertThat(trail).contains("received", "done");
        wait.until(d -> texts(d.findElements(testId("step-name"))).equals(trail));
        assertThat(driver.findElement(testId("payload")).getText()).contains(submissionId).contains(email);
        Browser.screenshot(driver, "console-event-detail");
    }

    @Test
    void markupInAPayloadAndItsHeadersIsShownAsTextAndNeverRuns() throws Exception {
        String markup = "<img src=x onerror=\\\"window.__owned=1\\\"><script>window.__owned=2</script>";
        var accepted = new Webhooks(port).send(new Webhooks(port).request("probe-token", "{\"note\":\"" + markup + "\"}")
                .header("X-Hook-Token", "probe-hook-token-secret")
                .header("X-Note", "<svg onload=window.__owned=3>"));
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        String eventId = json.readTree(accepted.body()).get("eventId").asText();

        WebDriverWait wait = logIn("viewer", "viewer-test-password");
        driver.get(base() + "/console#/events/" + eventId);
        wait.until(ExpectedConditions.textToBe(testId("event-id"), eventId));
        wait.until(d -> d.findElement(testId("payload")).getText().contains("<script>"));
        Browser.screenshot(driver, "console-markup-as-text");
        Object owned = ((JavascriptExecutor) driver).executeScript("return window.__owned;");
        assertThat(owned).as("no markup from the payload ran").isNull();
        assertThat(driver.findElements(By.cssSelector("main img, main svg, main script"))).isEmpty();
    }

    @Test
    void operatorReplaysADeadLetterAndSeesItsEventTurnDone() throws Exception {
        String orderId = "console-" + UUID.randomUUID();
        answerInTurn(orderId, aResponse().withStatus(400).withBody("{\"error\":\"order rejected\"}"),
                aResponse().withStatus(200).withBody("{}"));
        String eventId = enqueueProbeHttp(orderId);
        awaitStatus(eventId, "DEAD");

        WebDriverWait wait = logIn("operator", "operator-test-password");
        driver.get(base() + "/console#/dead-letters?integration=probe-http");
        By letterRow = deadLetterRow(eventId);
        WebElement row = wait.until(ExpectedConditions.visibilityOfElementLocated(letterRow));
        assertThat(row.getText()).contains("probe-http").contains("invalid-data").contains("HTTP 400");
        assertThat(driver.findElement(testId("replay-all")).isDisplayed()).isTrue();
        Browser.screenshot(driver, "console-dead-letters");

        row.findElement(testId("replay")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(testId("flash")));
        wait.until(ExpectedConditions.invisibilityOfElementLocated(letterRow));
        Browser.screenshot(driver, "console-dead-letter-replayed");

        driver.get(base() + "/console#/events/" + eventId);
        wait.until(ExpectedConditions.textToBe(testId("event-status"), "DONE"));
        wait.until(d -> texts(d.findElements(testId("step-name"))).containsAll(List.of("dead", "replayed", "done")));
        assertThat(driver.findElement(testId("event-dead-letter")).getText()).contains("replayed").contains("operator");
        assertThat(driver.findElements(testId("replay"))).isEmpty();
        Browser.screenshot(driver, "console-event-replayed-done");
    }

    @Test
    void operatorSendsATestEventFromTheCardAndFollowsItsStepsToDone() throws Exception {
        // A real event first: the form offers its payload as the sample, without the masked field.
        String realTicket = "T-real-" + UUID.randomUUID().toString().substring(0, 8);
        String real = inbox.enqueue("ticket-alert", "console-" + UUID.randomUUID(), "{\"ticketId\":\"" + realTicket
                + "\",\"email\":\"grace@navy.example.org\",\"subject\":\"Printer on fire\",\"token\":\"tok-s3cret\"}");
        signal.wake("ticket-alert");
        awaitStatus(real, "DONE");

        WebDriverWait wait = logIn("operator", "operator-test-password");
        wait.until(ExpectedConditions.visibilityOfElementLocated(inCard("ticket-alert", "test-event-open"))).click();
        WebElement payload = wait.until(ExpectedConditions.elementToBeClickable(
                inCard("ticket-alert", "test-event-payload")));
        assertThat(payload.getDomProperty("value")).contains(realTicket).contains("grace@navy.example.org")
                .doesNotContain("token").doesNotContain("***");

        // Without email: the schema refuses it, naming the field, and nothing is stored.
        String refusedTicket = "T-refused-" + UUID.randomUUID().toString().substring(0, 8);
        payload.clear();
        payload.sendKeys("{\"ticketId\": \"" + refusedTicket + "\", \"subject\": \"no e-mail\"}");
        driver.findElement(inCard("ticket-alert", "test-event-send")).click();
        WebElement refused = wait.until(ExpectedConditions.visibilityOfElementLocated(
                inCard("ticket-alert", "test-event-error")));
        assertThat(refused.getText()).contains("Payload does not match the schema").contains("email");
        scrollTo(refused);
        Browser.screenshot(driver, "console-test-event-refused");
        assertThat(jdbc.queryForObject("select count(*) from event where payload like ?", Integer.class,
                "%" + refusedTicket + "%")).isZero();

        String ticket = "T-test-" + UUID.randomUUID().toString().substring(0, 8);
        payload.clear();
        payload.sendKeys("{\"ticketId\": \"" + ticket + "\", \"email\": \"ada@analytical-engines.co.uk\", "
                + "\"subject\": \"Test of the alert\"}");
        driver.findElement(inCard("ticket-alert", "test-event-send")).click();
        // The result is redrawn while the event is followed: read the link in one go, again if it was replaced.
        String[] linkRead = wait.ignoring(StaleElementReferenceException.class).until(d -> {
            WebElement link = d.findElement(inCard("ticket-alert", "test-event-link"));
            return link.getText().isBlank() ? null : new String[] {link.getText(), link.getAttribute("href")};
        });
        String eventId = linkRead[0];
        assertThat(linkRead[1]).endsWith("#/events/" + eventId);
        assertThat(jdbc.queryForObject("select test_event from event where id = ?", Boolean.class, eventId)).isTrue();
        wait.until(ExpectedConditions.textToBe(inCard("ticket-alert", "test-event-status"), "DONE"));
        List<String> trail = jdbc.queryForList("select step from event_step where event_id = ? order by id",
                String.class, eventId);
        assertThat(trail).contains("received", "oncall-email", "team-chat", "done");
        wait.until(d -> texts(d.findElements(inCard("ticket-alert", "test-step-name"))).equals(trail));
        scrollTo(driver.findElement(inCard("ticket-alert", "test-event-result")));
        Browser.screenshot(driver, "console-test-event-done");

        // Marked as a test in the list (a real event is not) and on its page.
        driver.get(base() + "/console#/events?integration=ticket-alert");
        WebElement row = wait.until(ExpectedConditions.visibilityOfElementLocated(eventRow(eventId)));
        assertThat(text(row.findElement(testId("test-badge")))).isEqualTo("test");
        assertThat(driver.findElement(eventRow(real)).findElements(testId("test-badge"))).isEmpty();
        row.findElement(testId("event-link")).click();
        wait.until(ExpectedConditions.textToBe(testId("event-id"), eventId));
        assertThat(driver.findElement(By.cssSelector("h1 [data-testid=test-badge]")).isDisplayed()).isTrue();
        Browser.screenshot(driver, "console-test-event-detail");
    }

    @Test
    void anApiIntegrationsTestCallShowsTheRoutesAnswerAndStoresNothing() throws Exception {
        String email = "nobody-" + UUID.randomUUID().toString().substring(0, 8) + "@example.org";
        Integer before = jdbc.queryForObject("select count(*) from event where integration = 'contact-card'", Integer.class);
        WebDriverWait wait = logIn("operator", "operator-test-password");
        WebElement open = wait.until(ExpectedConditions.visibilityOfElementLocated(inCard("contact-card", "test-event-open")));
        assertThat(open.getText()).isEqualTo("Send test call");
        open.click();
        WebElement payload = wait.until(ExpectedConditions.elementToBeClickable(inCard("contact-card", "test-event-payload")));
        payload.clear();
        payload.sendKeys("{\"email\": \"" + email + "\"}");
        driver.findElement(inCard("contact-card", "test-event-send")).click();
        wait.until(ExpectedConditions.textToBe(inCard("contact-card", "test-answer-status"), "HTTP 404"));
        assertThat(driver.findElement(inCard("contact-card", "test-answer-body")).getText())
                .contains("No CRM contact has that e-mail address");
        assertThat(driver.findElements(inCard("contact-card", "test-event-link"))).isEmpty();
        scrollTo(driver.findElement(inCard("contact-card", "test-event-result")));
        Browser.screenshot(driver, "console-test-call-api");
        assertThat(jdbc.queryForObject("select count(*) from event where integration = 'contact-card'", Integer.class))
                .isEqualTo(before);
    }

    @Test
    void operatorRerunsAFinishedEventAndItsTrailRunsAgain() throws Exception {
        String eventId = enqueueTicket("T-rerun-" + UUID.randomUUID().toString().substring(0, 8));
        awaitStatus(eventId, "DONE");

        WebDriverWait wait = logIn("operator", "operator-test-password");
        driver.get(base() + "/console#/events/" + eventId);
        wait.until(ExpectedConditions.textToBe(testId("event-status"), "DONE"));
        assertThat(texts(driver.findElements(testId("step-name")))).contains("done").doesNotContain("rerun");

        wait.until(ExpectedConditions.elementToBeClickable(testId("rerun"))).click();
        Alert confirm = wait.until(ExpectedConditions.alertIsPresent());
        assertThat(confirm.getText()).contains(eventId).contains("ticket-alert");
        confirm.accept();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(testId("flash"), "Re-running event " + eventId));
        // The trail grows by the re-run and every step after it, up to a second done.
        wait.until(d -> {
            List<String> steps = texts(d.findElements(testId("step-name")));
            int rerun = steps.indexOf("rerun");
            return rerun > 0 && steps.subList(rerun, steps.size()).containsAll(List.of("oncall-email", "team-chat", "done"))
                    && "DONE".equals(d.findElement(testId("event-status")).getText());
        });
        assertThat(jdbc.queryForList("select step from event_step where event_id = ? order by id", String.class, eventId))
                .containsSubsequence("team-chat", "done", "rerun", "oncall-email", "team-chat", "done");
        Browser.screenshot(driver, "console-event-rerun-done");
    }

    @Test
    void operatorRerunsTheMatchingEventsOfOneIntegrationAfterSeeingHowMany() throws Exception {
        String eventId = enqueueTicket("T-bulk-" + UUID.randomUUID().toString().substring(0, 8));
        awaitStatus(eventId, "DONE");

        WebDriverWait wait = logIn("operator", "operator-test-password");
        driver.get(base() + "/console#/events");
        wait.until(ExpectedConditions.visibilityOfElementLocated(testId("event-row")));
        assertThat(driver.findElement(testId("rerun-matching")).isDisplayed()).as("only for one integration").isFalse();
        driver.get(base() + "/console#/events?integration=ticket-alert&status=DONE");
        wait.until(ExpectedConditions.visibilityOfElementLocated(eventRow(eventId)));

        wait.until(ExpectedConditions.elementToBeClickable(testId("rerun-matching"))).click();
        Alert confirm = wait.until(ExpectedConditions.alertIsPresent());
        int matching = finishedTicketAlerts();
        assertThat(matching).isPositive();
        assertThat(confirm.getText()).isEqualTo("This re-runs " + events(matching) + " of ticket-alert. Continue?");
        confirm.dismiss();
        wait.until(ExpectedConditions.elementToBeClickable(testId("rerun-matching")));
        assertThat(rerunSteps(eventId)).as("dismissed: nothing re-run").isZero();

        driver.findElement(testId("rerun-matching")).click();
        wait.until(ExpectedConditions.alertIsPresent()).accept();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(testId("flash"),
                "Re-running " + events(matching) + " of ticket-alert."));
        assertThat(rerunSteps(eventId)).isEqualTo(1);
        // Every re-run finished before the next test (which may count chats or set faults).
        await().atMost(Duration.ofSeconds(30)).until(() -> jdbc.queryForObject(
                "select count(*) from inbox where integration = 'ticket-alert'", Integer.class) == 0);
        awaitStatus(eventId, "DONE");
    }

    @Test
    void operatorStartsAScheduleRunFromItsCardAndFollowsTheLinkToTheRunsEvent() throws Exception {
        WebDriverWait wait = logIn("operator", "operator-test-password");
        wait.until(ExpectedConditions.elementToBeClickable(inCard("billing-digest", "run-now")));
        assertThat(driver.findElements(inCard("billing-digest", "test-event-open"))).as("a schedule takes no test event")
                .isEmpty();
        driver.findElement(inCard("billing-digest", "run-now")).click();
        WebElement link = wait.until(ExpectedConditions.visibilityOfElementLocated(
                inCard("billing-digest", "run-event-link")));
        String eventId = link.getText();
        assertThat(jdbc.queryForObject("select integration from event where id = ?", String.class, eventId))
                .isEqualTo("billing-digest");
        Browser.screenshot(driver, "console-run-now");
        link.click();
        wait.until(ExpectedConditions.textToBe(testId("event-id"), eventId));
        assertThat(driver.findElement(By.cssSelector(".facts")).getText()).contains("billing-digest");
    }

    @Test
    void viewerSeesDeadLettersWithoutReplayOrDiscardAndCanLogOut() throws Exception {
        String orderId = "console-viewer-" + UUID.randomUUID();
        answerInTurn(orderId, aResponse().withStatus(400).withBody("{\"error\":\"order rejected\"}"));
        String eventId = enqueueProbeHttp(orderId);
        awaitStatus(eventId, "DEAD");

        WebDriverWait wait = logIn("viewer", "viewer-test-password");
        wait.until(ExpectedConditions.attributeToBe(testId("user-roles"), "textContent", "viewer"));
        wait.until(ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector("[data-testid=integration-card][data-integration=ticket-alert]")));
        assertThat(driver.findElements(testId("card-actions"))).as("no test events or runs for a viewer").isEmpty();
        driver.findElement(testId("nav-dead-letters")).click();
        WebElement row = wait.until(ExpectedConditions.visibilityOfElementLocated(deadLetterRow(eventId)));
        assertThat(row.findElements(testId("replay"))).isEmpty();
        assertThat(row.findElements(testId("discard"))).isEmpty();
        assertThat(driver.findElement(testId("replay-all")).isDisplayed()).isFalse();
        Browser.screenshot(driver, "console-viewer-dead-letters");

        row.findElement(testId("dead-letter-event")).click();
        wait.until(ExpectedConditions.textToBe(testId("event-status"), "DEAD"));
        wait.until(ExpectedConditions.visibilityOfElementLocated(testId("event-dead-letter")));
        assertThat(driver.findElements(testId("replay"))).isEmpty();
        assertThat(driver.findElements(testId("rerun"))).isEmpty();
        assertThat(driver.findElement(testId("last-error")).getText()).contains("HTTP 400");
        Browser.screenshot(driver, "console-viewer-event");

        driver.findElement(testId("logout")).click();
        wait.until(ExpectedConditions.urlContains("/login?logout"));
        assertThat(driver.findElement(testId("login-info")).getText()).isEqualTo("You are signed out.");
        assertThat(driver.getPageSource()).containsIgnoringCase("signed out");
        Browser.screenshot(driver, "console-logged-out");
        driver.get(base() + "/console");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username")));
    }

    @Test
    void anOperatorConnectsTheChatOnTheConsentPageAndHeldLeadsFlush() throws Exception {
        HttpResponse<String> disconnected = callAs("operator", "DELETE", "/api/connections/chat/authorization", null);
        assertThat(disconnected.statusCode()).as(disconnected.body()).isEqualTo(200);
        String unique = UUID.randomUUID().toString().substring(0, 8);
        List<String> emails = List.of("held-a-" + unique + "@jacquard.io", "held-b-" + unique + "@jacquard.io");
        List<String> events = new ArrayList<>();
        for (String email : emails) {
            events.add(postSigned("lead-intake", LEAD_INTAKE_SECRET, Map.of("submissionId", "console-held-"
                    + UUID.randomUUID(), "email", email, "firstName", "Ada", "lastName", "Held")));
        }
        events.forEach(event -> awaitStatus(event, "WAITING"));

        WebDriverWait wait = logIn("operator", "operator-test-password");
        driver.findElement(testId("nav-connections")).click();
        wait.until(ExpectedConditions.textToBe(inConnection("chat", "connection-standing"), "disconnected"));
        wait.until(ExpectedConditions.textToBe(inConnection("chat", "connection-waiting"), "2 waiting (lead-intake)"));
        wait.until(d -> text(d.findElement(testId("connection-chat"))).contains("oauth2-authorization-code"));
        assertThat(text(driver.findElement(inConnection("chat", "connection-reason"))))
                .startsWith("Not connected: disconnected by operator");
        assertThat(text(driver.findElement(inConnection("chat", "connection-state")))).isEqualTo("needs connecting");
        WebElement connect = driver.findElement(testId("connect-chat"));
        assertThat(connect.getText()).as("it was connected before").isEqualTo("Reconnect");
        // A button that POSTs with the CSRF token: no link another page could open for a logged-in operator.
        assertThat(connect.getTagName()).isEqualTo("button");
        assertThat(connect.getAttribute("href")).isNull();
        Browser.screenshot(driver, "console-connections-disconnected");

        connect.click();
        WebElement approve = wait.until(ExpectedConditions.elementToBeClickable(testId("consent-approve")));
        assertThat(driver.getCurrentUrl()).startsWith(base() + "/sandbox/oauth/authorize?");
        assertThat(driver.findElement(testId("consent-scopes")).getText()).contains("chat:write");
        Browser.screenshot(driver, "connect-consent-page");
        approve.click();

        wait.until(ExpectedConditions.textToBePresentInElementLocated(testId("flash"), "Connected chat"));
        wait.until(ExpectedConditions.urlToBe(base() + "/console#/connections"));
        wait.until(ExpectedConditions.textToBe(inConnection("chat", "connection-standing"), "connected"));
        assertThat(driver.findElement(inConnection("chat", "connection-connected-by")).getText()).isEqualTo("operator");
        Browser.screenshot(driver, "console-connections-connected");

        for (int i = 0; i < events.size(); i++) {
            awaitStatus(events.get(i), "DONE");
            assertThat(steps(events.get(i))).contains("waiting", "resumed", "done");
        }
        for (String email : emails) {
            assertThat(chatsContaining(email)).as("the chat has each held lead once: " + email).hasSize(1);
        }
        wait.until(ExpectedConditions.invisibilityOfElementLocated(inConnection("chat", "connection-waiting")));
        assertThat(chat().path("connect").path("connectedBy").asText()).isEqualTo("operator");
    }

    @Test
    void denyingOnTheConsentPageKeepsTheChatAsItWasAndDisconnectAsksFirst() throws Exception {
        String connectedAt = chat().path("connect").path("connectedAt").asText();
        WebDriverWait wait = logIn("operator", "operator-test-password");
        driver.get(base() + "/console#/connections");
        wait.until(ExpectedConditions.textToBe(inConnection("chat", "connection-standing"), "connected"));
        wait.until(ExpectedConditions.elementToBeClickable(testId("connect-chat"))).click();
        wait.until(ExpectedConditions.elementToBeClickable(testId("consent-deny"))).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(testId("flash"),
                "Access denied: chat stays as it was"));
        wait.until(ExpectedConditions.textToBe(inConnection("chat", "connection-standing"), "connected"));
        assertThat(chat().path("connect").path("connectedAt").asText()).isEqualTo(connectedAt);

        wait.until(ExpectedConditions.elementToBeClickable(testId("disconnect-chat"))).click();
        Alert confirm = wait.until(ExpectedConditions.alertIsPresent());
        assertThat(confirm.getText()).startsWith("Disconnect chat?");
        confirm.dismiss();
        wait.until(ExpectedConditions.elementToBeClickable(testId("disconnect-chat")));
        assertThat(chat().path("connect").path("standing").asText()).as("dismissed: still connected")
                .isEqualTo("connected");

        driver.findElement(testId("disconnect-chat")).click();
        wait.until(ExpectedConditions.alertIsPresent()).accept();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(testId("flash"), "Disconnected chat"));
        wait.until(ExpectedConditions.textToBe(inConnection("chat", "connection-standing"), "disconnected"));
        assertThat(driver.findElements(testId("disconnect-chat"))).isEmpty();
        assertThat(driver.findElement(testId("connect-chat")).getText()).isEqualTo("Reconnect");
        assertThat(chat().path("connect").path("standing").asText()).isEqualTo("disconnected");
        Browser.screenshot(driver, "console-connections-disconnected-by-button");
        // chatStaysConnected connects it again for the tests after this one.
    }

    @Test
    void aViewerSeesTheConnectionsWithoutConnectOrDisconnect() throws Exception {
        WebDriverWait wait = logIn("viewer", "viewer-test-password");
        wait.until(ExpectedConditions.attributeToBe(testId("user-roles"), "textContent", "viewer"));
        driver.findElement(testId("nav-connections")).click();
        wait.until(ExpectedConditions.textToBe(inConnection("chat", "connection-standing"), "connected"));
        assertThat(driver.findElement(inConnection("chat", "connection-connected-by")).getText()).isEqualTo("operator");
        assertThat(driver.findElement(inConnection("chat", "connection-scopes-granted")).getText()).isEqualTo("chat:write");
        assertThat(driver.findElements(testId("connect-chat"))).isEmpty();
        assertThat(driver.findElements(testId("disconnect-chat"))).isEmpty();
        assertThat(driver.findElements(testId("connection-actions"))).isEmpty();
        // A connection whose credentials come from the environment has no Connect part at all.
        WebElement crm = driver.findElement(testId("connection-crm"));
        assertThat(text(crm)).contains("oauth2-client-credentials");
        assertThat(crm.findElements(testId("connection-standing"))).isEmpty();
        // A broker is a connection too: its kind and its address, never its user or password.
        WebElement broker = driver.findElement(testId("connection-orders-broker"));
        assertThat(broker.findElement(testId("connection-auth")).getText()).isEqualTo("amqp");
        assertThat(broker.findElement(testId("connection-address")).getText())
                .isEqualTo("amqp://127.0.0.1:5672/sb-test-queue");
        assertThat(text(broker)).contains("not probed yet").doesNotContain("guest");
        Browser.screenshot(driver, "console-viewer-connections");
    }

    @Test
    void operatorRunsADrillFromTheCardAndReadsItsCasesAndEvidence() throws Exception {
        String before = asAdmin("GET", "/api/drills", null).path("customer-lookup").path("drillId").asText("");
        WebDriverWait wait = logIn("operator", "operator-test-password");
        wait.until(ExpectedConditions.elementToBeClickable(inCard("customer-lookup", "run-drill"))).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(testId("flash"), "Drill of customer-lookup started"));
        // The poll picks the drill up, running and then finished: a new drill id, passed.
        wait.until(d -> {
            WebElement drill = d.findElement(inCard("customer-lookup", "drill"));
            String id = drill.getAttribute("data-drill-id");
            return !id.isEmpty() && !id.equals(before)
                    && "passed".equals(drill.findElement(testId("drill-status")).getText());
        });
        WebElement normal = driver.findElement(inCard("customer-lookup", "drill-case-normal"));
        assertThat(normal.getText()).contains("normal").contains("passed");
        assertThat(normal.getAttribute("title")).matches("answered \\d{3} in \\d+ ms");
        WebElement duplicate = driver.findElement(inCard("customer-lookup", "drill-case-duplicate"));
        assertThat(duplicate.getText()).contains("skipped");
        assertThat(duplicate.getAttribute("title")).isEqualTo(
                "an api call is answered, not stored, and writes nothing (its route calls [crm, billing] to read "
                + "only): there is no effect to double");
        assertThat(driver.findElements(By.cssSelector(
                "[data-testid=integration-card][data-integration=customer-lookup] li.drill-case"))).hasSize(8);
        assertThat(driver.findElements(inCard("customer-lookup", "not-drilled"))).as("drilled, current").isEmpty();
        scrollTo(driver.findElement(inCard("customer-lookup", "drill")));
        Browser.screenshot(driver, "console-drill-card");

        // Never drilled by any test: says so.
        assertThat(driver.findElement(inCard("ticket-alert", "not-drilled")).getText()).isEqualTo("not drilled");
        assertThat(driver.findElements(inCard("ticket-alert", "drill-status"))).isEmpty();

        driver.findElement(inCard("customer-lookup", "view-drill")).click();
        wait.until(ExpectedConditions.urlContains("#/drill?integration=customer-lookup"));
        wait.until(ExpectedConditions.textToBe(testId("drill-detail-status"), "passed"));
        wait.until(d -> d.findElements(testId("drill-detail-case")).size() == 8);
        assertThat(texts(driver.findElements(testId("drill-detail-case-name")))).containsExactly("normal",
                "missing-data", "duplicate", "expired-credential", "permission", "outage", "volume", "revoked-credential");
        WebElement normalDetail = detailCase("normal");
        assertThat(normalDetail.findElement(testId("drill-detail-case-outcome")).getText()).isEqualTo("passed");
        assertThat(normalDetail.findElement(testId("drill-detail-case-reason")).getText())
                .matches("answered \\d{3} in \\d+ ms");
        assertThat(normalDetail.findElement(testId("drill-evidence")).getText()).contains("status")
                .contains("durationMs");
        WebElement duplicateDetail = detailCase("duplicate");
        assertThat(duplicateDetail.findElement(testId("drill-detail-case-outcome")).getText()).isEqualTo("skipped");
        assertThat(duplicateDetail.findElement(testId("drill-detail-case-reason")).getText())
                .isEqualTo("an api call is answered, not stored, and writes nothing (its route calls [crm, billing] to read "
                + "only): there is no effect to double");
        assertThat(detailCase("volume").findElement(testId("drill-evidence")).getText()).contains("calls")
                .contains("slowest");
        Browser.screenshot(driver, "console-drill-detail");

        // A drill with events (a schedule's run): each event id links to the event's page.
        HttpResponse<String> started = callAs("operator", "POST", "/api/integrations/invoice-sync/drills", null);
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(250)).until(() -> !"running".equals(
                asAdmin("GET", "/api/integrations/invoice-sync/drills", null).path("status").asText()));
        driver.get(base() + "/console#/drill?integration=invoice-sync");
        wait.until(ExpectedConditions.textToBe(testId("drill-integration"), "invoice-sync"));
        WebElement link = wait.until(d -> detailCase("normal").findElement(testId("drill-event-link")));
        String eventId = link.getText();
        assertThat(link.getAttribute("href")).endsWith("#/events/" + eventId);
        link.click();
        wait.until(ExpectedConditions.textToBe(testId("event-id"), eventId));
        assertThat(driver.findElement(By.cssSelector("#event .facts")).getText()).contains("invoice-sync");
    }

    @Test
    void aViewerSeesTheDrillsWithoutRunDrill() throws Exception {
        WebDriverWait wait = logIn("viewer", "viewer-test-password");
        wait.until(ExpectedConditions.attributeToBe(testId("user-roles"), "textContent", "viewer"));
        WebElement notDrilled = wait.until(ExpectedConditions.visibilityOfElementLocated(
                inCard("ticket-alert", "not-drilled")));
        assertThat(notDrilled.getText()).isEqualTo("not drilled");
        assertThat(driver.findElements(testId("drill"))).as("a drill block on every card")
                .hasSameSizeAs(driver.findElements(testId("integration-card")));
        assertThat(driver.findElements(testId("run-drill"))).isEmpty();
        driver.get(base() + "/console#/drill?integration=ticket-alert");
        wait.until(ExpectedConditions.textToBe(testId("drill-missing"), "ticket-alert has not been drilled yet."));
        assertThat(driver.findElements(testId("drill-detail-run"))).isEmpty();
    }

    private static WebElement detailCase(String name) {
        return driver.findElement(By.cssSelector("[data-testid=drill-detail-case][data-case='" + name + "']"));
    }

    private WebDriverWait logIn(String user, String password) {
        driver.manage().deleteAllCookies();
        driver.get(base() + "/login");
        WebDriverWait wait = waiting();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username")));
        submitLogin(user, password);
        Browser.awaitSignedIn(driver, wait, user);
        return wait;
    }

    private void submitLogin(String user, String password) {
        WebElement name = driver.findElement(By.id("username"));
        name.clear();
        name.sendKeys(user);
        WebElement secret = driver.findElement(By.id("password"));
        secret.clear();
        secret.sendKeys(password);
        driver.findElement(By.cssSelector("button[type=submit]")).click();
    }

    private void search(WebDriverWait wait, String text) {
        WebElement box = wait.until(ExpectedConditions.visibilityOfElementLocated(testId("search")));
        box.clear();
        box.sendKeys(text, Keys.ENTER);
        wait.until(ExpectedConditions.urlContains("q=" + URLEncoder.encode(text, StandardCharsets.UTF_8)));
    }

    @Test
    void duringACrmOutageTheFirstScreenSaysWhatBrokeAndWhatHappensNextThenThatNothingIs() throws Exception {
        for (JsonNode open : asAdmin("GET", "/api/incidents", null)) {
            callAs("operator", "POST", "/api/incidents/" + open.get("id").asText() + "/resolve", null);
        }
        fault("{\"system\":\"crm\",\"status\":503,\"count\":100000}");
        try {
            postSigned("lead-intake", LEAD_INTAKE_SECRET, Map.of("submissionId", "outage-" + UUID.randomUUID(),
                    "email", "outage@analytical-engines.co.uk", "firstName", "Ada"));
            WebDriverWait wait = logIn("operator", "operator-test-password");
            driver.get(base() + "/console#/integrations");
            wait.until(ExpectedConditions.visibilityOfElementLocated(testId("incident")));
            // The incident list redraws as calls fail; each read finds the incident again rather than keep a stale one.
            String title = wait.until(d -> incidentText(d, "incident-title"));
            String next = wait.until(d -> incidentText(d, "incident-next"));
            String facts = wait.until(d -> incidentText(d, "incident-facts"));
            assertThat(title).isEqualTo("crm answers 503");
            assertThat(next).startsWith("Retrying on its own").contains("resolves itself when calls to crm succeed again");
            assertThat(facts).contains("lead-intake");
            WebElement cardLink = wait.until(ExpectedConditions.visibilityOfElementLocated(
                    inCard("lead-intake", "card-incident")));
            assertThat(cardLink.getText()).isEqualTo("Incident: crm answers 503");
            Browser.screenshot(driver, "console-incident-open");

            wait.until(d -> {
                WebElement acknowledge = d.findElement(testId("incident")).findElement(testId("incident-acknowledge"));
                scrollTo(acknowledge);
                acknowledge.click();
                return true;
            });
            wait.until(ExpectedConditions.textToBe(testId("incident-status"), "acknowledged by operator"));
            Browser.screenshot(driver, "console-incident-acknowledged");
        } finally {
            clearFaults();
        }
        // The CRM is back: the next lead's calls succeed, and the incident resolves itself.
        postSigned("lead-intake", LEAD_INTAKE_SECRET, Map.of("submissionId", "after-" + UUID.randomUUID(),
                "email", "after-outage@analytical-engines.co.uk", "firstName", "Ada"));
        WebDriverWait wait = waiting();
        wait.until(ExpectedConditions.visibilityOfElementLocated(testId("no-incidents")));
        assertThat(driver.findElements(inCard("lead-intake", "card-incident"))).isEmpty();
        Browser.screenshot(driver, "console-incident-resolved");
    }

    private static String incidentText(WebDriver d, String part) {
        return d.findElement(testId("incident")).findElement(testId(part)).getText();
    }

    private WebDriverWait waiting() {
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(30));
        // The console redraws a list when its data changes; a element found just before that is gone.
        wait.ignoring(StaleElementReferenceException.class);
        return wait;
    }

    private String enqueueProbeHttp(String orderId) {
        String eventId = inbox.enqueue("probe-http", "console-" + UUID.randomUUID(), "{\"orderId\":\"" + orderId + "\"}");
        signal.wake("probe-http");
        return eventId;
    }

    private String enqueueTicket(String ticket) {
        String eventId = inbox.enqueue("ticket-alert", "console-" + UUID.randomUUID(), "{\"ticketId\":\"" + ticket
                + "\",\"email\":\"ada@analytical-engines.co.uk\",\"subject\":\"From the console test\"}");
        signal.wake("ticket-alert");
        return eventId;
    }

    /** What a bulk re-run of ticket-alert's DONE events matches (RerunController's filter). */
    private int finishedTicketAlerts() {
        return jdbc.queryForObject("select count(*) from event where integration = 'ticket-alert' and status = 'DONE'"
                + " and id not in (select event_id from inbox)", Integer.class);
    }

    private int rerunSteps(String eventId) {
        return jdbc.queryForObject("select count(*) from event_step where event_id = ? and step = 'rerun'",
                Integer.class, eventId);
    }

    private static String events(int n) {
        return n + (n == 1 ? " event" : " events");
    }

    /** The probe-http target answers requests for this order with these responses, one after the other. */
    private void answerInTurn(String orderId, ResponseDefinitionBuilder... answers) {
        String scenario = "console-" + orderId;
        for (int i = 0; i < answers.length; i++) {
            probeHttp.server().stubFor(post("/orders")
                    .withRequestBody(containing(orderId))
                    .inScenario(scenario)
                    .whenScenarioStateIs(i == 0 ? STARTED : "step-" + i)
                    .willSetStateTo("step-" + (i + 1))
                    .willReturn(answers[i]));
        }
    }

    private String base() {
        return "http://localhost:" + port;
    }

    private static By testId(String id) {
        return By.cssSelector("[data-testid='" + id + "']");
    }

    private static void scrollTo(WebElement element) {
        ((JavascriptExecutor) driver).executeScript("arguments[0].scrollIntoView({block: 'center'})",
                element);
    }

    private static By inCard(String integration, String id) {
        return By.cssSelector("[data-testid=integration-card][data-integration='" + integration + "'] [data-testid='"
                + id + "']");
    }

    private static By inConnection(String connection, String id) {
        return By.cssSelector("[data-testid='connection-" + connection + "'] [data-testid='" + id + "']");
    }

    /** The chat connection as GET /api/connections shows it. */
    private JsonNode chat() throws Exception {
        for (JsonNode connection : asAdmin("GET", "/api/connections", null)) {
            if (connection.path("name").asText().equals("chat")) {
                return connection;
            }
        }
        throw new AssertionError("no chat connection");
    }

    private static By eventRow(String eventId) {
        return By.cssSelector("[data-testid=event-row][data-event-id='" + eventId + "']");
    }

    private static By deadLetterRow(String eventId) {
        return By.cssSelector("[data-testid=dead-letter-row][data-event-id='" + eventId + "']");
    }

    /** The text as written, before CSS changes its case. */
    private static String text(WebElement element) {
        return element.getDomProperty("textContent");
    }

    private static List<String> texts(List<WebElement> elements) {
        return elements.stream().map(WebElement::getText).toList();
    }
}
