package io.switchboard.browser;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import io.switchboard.SwitchboardTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.boot.test.web.server.LocalServerPort;

/** Hawtio, in a real browser: its own login page refuses a wrong password and lets the admin see the routes. */
@SwitchboardTest
class HawtioBrowserIT {

    private static WebDriver driver;

    @LocalServerPort
    int port;

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
    void hawtioLoginPageRefusesAWrongPasswordAndShowsTheAdminTheRoutes() throws Exception {
        driver.manage().deleteAllCookies();
        driver.get("http://localhost:" + port + "/actuator/hawtio/");
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(30));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("input[type=password]")));
        Browser.screenshot(driver, "hawtio-login");

        logIn(wait, "admin", "not-the-password");
        wait.until(d -> d.getPageSource().toLowerCase().contains("incorrect")
                || d.getPageSource().toLowerCase().contains("invalid")
                || d.getPageSource().toLowerCase().contains("failed"));
        Browser.screenshot(driver, "hawtio-login-refused");
        assertThat(driver.findElements(By.cssSelector("input[type=password]"))).isNotEmpty();

        driver.navigate().refresh();
        logIn(wait, "admin", "admin-test-password");
        wait.until(d -> d.findElements(By.cssSelector("input[type=password]")).isEmpty());
        Browser.screenshot(driver, "hawtio-after-login");
        driver.get("http://localhost:" + port + "/actuator/hawtio/camel/routes");
        try {
            wait.until(d -> d.getPageSource().contains("lead-intake"));
        } finally {
            Browser.screenshot(driver, "hawtio-camel-routes");
        }
        Browser.screenshot(driver, "hawtio-camel-routes");
        assertThat(driver.getPageSource()).contains("Camel").contains("lead-intake");

        // The route diagram shows the reliability kit: idempotent consumer, throttles, the error handler's DLC.
        driver.findElements(By.xpath("//*[normalize-space(text())='lead-intake']")).get(0).click();
        wait.until(ExpectedConditions.elementToBeClickable(By.xpath("//*[normalize-space(text())='Route Diagram']")))
                .click();
        try {
            wait.until(d -> d.getPageSource().toLowerCase().contains("throttle"));
        } finally {
            Browser.screenshot(driver, "hawtio-lead-intake-diagram");
        }
        String diagram = driver.getPageSource().toLowerCase();
        assertThat(diagram).contains("idempotentconsumer").contains("throttle");
    }

    private void logIn(WebDriverWait wait, String user, String password) {
        WebElement passwordField = wait.until(
                ExpectedConditions.visibilityOfElementLocated(By.cssSelector("input[type=password]")));
        WebElement userField = driver.findElement(By.id("pf-login-username-id"));
        userField.clear();
        userField.sendKeys(user);
        passwordField.clear();
        passwordField.sendKeys(password);
        driver.findElement(By.cssSelector("button[type=submit]")).click();
    }
}
