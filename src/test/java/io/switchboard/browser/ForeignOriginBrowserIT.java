package io.switchboard.browser;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import com.sun.net.httpserver.HttpServer;
import io.switchboard.SwitchboardTest;
import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The red team's attack on Hawtio, in a real browser: the admin is logged in to Hawtio, and a
 * page on another port of the same host (same site, other origin) tries to read system
 * properties, stop a route and write a file through Jolokia with the admin's cookies, then
 * navigates to a GET that would stop the route. None of it may work.
 */
@SwitchboardTest
class ForeignOriginBrowserIT {

    private static final Path DROPPED = Path.of("target", "foreign-origin-was-here.txt");

    private static WebDriver driver;
    private static HttpServer evil;

    @LocalServerPort
    int port;

    @Autowired
    CamelContext camel;

    @BeforeAll
    static void start() throws Exception {
        driver = Browser.start();
        evil = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        evil.start();
    }

    @AfterAll
    static void stop() {
        if (driver != null) {
            driver.quit();
        }
        if (evil != null) {
            evil.stop(0);
        }
    }

    @Test
    void aPageOnAnotherOriginCannotUseTheAdminsHawtioSession() throws Exception {
        Files.deleteIfExists(DROPPED);
        String target = "http://localhost:" + port;
        String route = "org.apache.camel:context=switchboard,type=routes,name=\\\"customer-lookup\\\"";
        String page = "<!DOCTYPE html><html><body><script>\n"
                + "const target = '" + target + "';\n"
                + "async function attempt(name, url, init) {\n"
                + "  try { const r = await fetch(url, Object.assign({credentials: 'include'}, init));\n"
                + "        return name + '=' + r.status + ':' + (await r.text()).slice(0, 60); }\n"
                + "  catch (e) { return name + '=blocked'; } }\n"
                + "(async () => {\n"
                + "  const results = [];\n"
                + "  results.push(await attempt('read', target + '/actuator/jolokia/read/java.lang:type=Runtime/SystemProperties', {}));\n"
                + "  results.push(await attempt('stop', target + '/actuator/jolokia', {method: 'POST', headers: {'Content-Type': 'text/plain'},\n"
                + "      body: JSON.stringify({type: 'exec', mbean: '" + route + "', operation: 'stop()'})}));\n"
                + "  results.push(await attempt('file', target + '/actuator/jolokia', {method: 'POST', mode: 'no-cors',\n"
                + "      headers: {'Content-Type': 'text/plain'}, body: JSON.stringify({type: 'exec',\n"
                + "      mbean: 'org.apache.camel:context=switchboard,type=context,name=\\\"switchboard\\\"',\n"
                + "      operation: 'sendStringBody(java.lang.String,java.lang.String)',\n"
                + "      arguments: ['file:target?fileName=foreign-origin-was-here.txt', 'owned']})}));\n"
                + "  document.title = 'done ' + results.join(' | ');\n"
                + "})();\n"
                + "</script></body></html>";
        evil.createContext("/attack", exchange -> {
            byte[] bytes = page.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });

        logInToHawtio(target);
        assertThat(camel.getRouteController().getRouteStatus("customer-lookup")).isEqualTo(ServiceStatus.Started);

        driver.get("http://localhost:" + evil.getAddress().getPort() + "/attack");
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(30));
        wait.until(d -> d.getTitle().startsWith("done"));
        Browser.screenshot(driver, "foreign-origin-attack");
        String results = driver.getTitle();
        assertThat(results).doesNotContain("java.version").doesNotContain("read=200").doesNotContain("stop=200");

        // A top-level navigation carries the cookies of a same-site page: it must not stop the route either.
        driver.get(target + "/actuator/jolokia/exec/org.apache.camel:context=switchboard,type=routes,"
                + "name=%22customer-lookup%22/stop()");
        assertThat(driver.getPageSource()).doesNotContain("\"status\":200");

        assertThat(camel.getRouteController().getRouteStatus("customer-lookup")).isEqualTo(ServiceStatus.Started);
        assertThat(DROPPED).doesNotExist();
    }

    private void logInToHawtio(String target) {
        driver.manage().deleteAllCookies();
        driver.get(target + "/actuator/hawtio/");
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(30));
        WebElement password = wait.until(
                ExpectedConditions.visibilityOfElementLocated(By.cssSelector("input[type=password]")));
        driver.findElement(By.id("pf-login-username-id")).sendKeys("admin");
        password.sendKeys("admin-test-password");
        driver.findElement(By.cssSelector("button[type=submit]")).click();
        wait.until(d -> d.findElements(By.cssSelector("input[type=password]")).isEmpty());
    }
}
