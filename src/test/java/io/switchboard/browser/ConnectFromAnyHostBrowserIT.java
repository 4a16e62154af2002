package io.switchboard.browser;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.SwitchboardTest;
import io.switchboard.support.IntegrationTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Connect from whichever host the console was opened on: the sandbox's consent page is on
 * that host, and after approving the person is back on the console, still logged in (the
 * {@code SameSite=Strict} session cookie survives the way back), with the chat connected.
 */
@SwitchboardTest
class ConnectFromAnyHostBrowserIT extends IntegrationTestSupport {

    private static WebDriver driver;

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

    @AfterEach
    void chatStaysConnected() throws Exception {
        if (!"connected".equals(chat().path("connect").path("standing").asText())) {
            reconnectChat();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "localhost"})
    void connectingTheChatComesBackToTheConsoleLoggedIn(String host) throws Exception {
        String base = "http://" + host + ":" + port;
        asAdmin("DELETE", "/api/connections/chat/authorization", null);
        assertThat(chat().path("connect").path("standing").asText()).isEqualTo("disconnected");

        WebDriverWait wait = logIn(base, "operator", "operator-test-password");
        driver.get(base + "/console#/connections");
        wait.until(ExpectedConditions.textToBe(inConnection("chat", "connection-standing"), "disconnected"));
        wait.until(ExpectedConditions.elementToBeClickable(testId("connect-chat"))).click();

        WebElement approve = wait.until(ExpectedConditions.elementToBeClickable(testId("consent-approve")));
        assertThat(driver.getCurrentUrl()).as("the consent page is on the console's host")
                .startsWith(base + "/sandbox/oauth/authorize?");
        approve.click();

        wait.until(ExpectedConditions.textToBePresentInElementLocated(testId("flash"), "Connected chat"));
        wait.until(ExpectedConditions.urlToBe(base + "/console#/connections"));
        assertThat(driver.findElement(testId("user-name")).getText()).as("still logged in").isEqualTo("operator");
        wait.until(ExpectedConditions.textToBe(inConnection("chat", "connection-standing"), "connected"));
        Browser.screenshot(driver, "connect-from-" + host);
        JsonNode chat = chat();
        assertThat(chat.path("connect").path("standing").asText()).isEqualTo("connected");
        assertThat(chat.path("connect").path("connectedBy").asText()).isEqualTo("operator");
    }

    private WebDriverWait logIn(String base, String user, String password) {
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(30));
        wait.ignoring(StaleElementReferenceException.class);
        // Cookies are per host: clear this host's, so the login below is the session that counts.
        driver.get(base + "/login");
        driver.manage().deleteAllCookies();
        driver.get(base + "/login");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username")));
        driver.findElement(By.id("username")).sendKeys(user);
        driver.findElement(By.id("password")).sendKeys(password);
        driver.findElement(By.cssSelector("button[type=submit]")).click();
        Browser.awaitSignedIn(driver, wait, user);
        return wait;
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

    private static By testId(String id) {
        return By.cssSelector("[data-testid='" + id + "']");
    }

    private static By inConnection(String connection, String id) {
        return By.cssSelector("[data-testid='connection-" + connection + "'] [data-testid='" + id + "']");
    }
}
