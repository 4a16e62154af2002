package io.switchboard.browser;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import io.switchboard.SwitchboardTest;
import io.switchboard.inbox.InboxSignal;
import io.switchboard.inbox.InboxStore;
import io.switchboard.ingress.Webhooks;
import io.switchboard.reliability.ProbeHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The console in a real browser, as an on-call person uses it: log in, find a lead by what
 * the form sent, read its step trail, replay a dead letter and watch its event finish, and
 * see that a viewer gets no buttons that change anything.
 */
@SwitchboardTest
class ConsoleBrowserIT {

    static final String LEAD_SECRET = "whsec_dGVzdC1sZWFkLWludGFrZS1zZWNyZXQ=";

    private static WebDriver driver;

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    InboxStore inbox;

    @Autowired
    InboxSignal signal;

    @Autowired
    ProbeHttp probeHttp;

    private final ObjectMapper json = new ObjectMapper();

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
        assertThat(driver.findElement(By.cssSelector(".alert-danger")).getText()).containsIgnoringCase("credentials");
        driver.get(base() + "/console");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username")));

        submitLogin("operator", "operator-test-password");
        wait.until(ExpectedConditions.textToBe(testId("user-name"), "operator"));
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
        var accepted = new Webhooks(port).postSigned("lead-intake", LEAD_SECRET, "{\"submissionId\":\"" + submissionId
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
        Object owned = ((org.openqa.selenium.JavascriptExecutor) driver).executeScript("return window.__owned;");
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
    void viewerSeesDeadLettersWithoutReplayOrDiscardAndCanLogOut() throws Exception {
        String orderId = "console-viewer-" + UUID.randomUUID();
        answerInTurn(orderId, aResponse().withStatus(400).withBody("{\"error\":\"order rejected\"}"));
        String eventId = enqueueProbeHttp(orderId);
        awaitStatus(eventId, "DEAD");

        WebDriverWait wait = logIn("viewer", "viewer-test-password");
        wait.until(ExpectedConditions.attributeToBe(testId("user-roles"), "textContent", "viewer"));
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
        assertThat(driver.findElement(testId("last-error")).getText()).contains("HTTP 400");
        Browser.screenshot(driver, "console-viewer-event");

        driver.findElement(testId("logout")).click();
        wait.until(ExpectedConditions.urlContains("/login?logout"));
        assertThat(driver.getPageSource()).containsIgnoringCase("signed out");
        Browser.screenshot(driver, "console-logged-out");
        driver.get(base() + "/console");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username")));
    }

    private WebDriverWait logIn(String user, String password) {
        driver.manage().deleteAllCookies();
        driver.get(base() + "/login");
        WebDriverWait wait = waiting();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username")));
        submitLogin(user, password);
        wait.until(ExpectedConditions.textToBe(testId("user-name"), user));
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

    private void awaitStatus(String eventId, String status) {
        await().atMost(Duration.ofSeconds(20)).until(() ->
                status.equals(jdbc.queryForObject("select status from event where id = ?", String.class, eventId)));
    }

    private String base() {
        return "http://localhost:" + port;
    }

    private static By testId(String id) {
        return By.cssSelector("[data-testid='" + id + "']");
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
