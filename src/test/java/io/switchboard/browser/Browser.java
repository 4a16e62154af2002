package io.switchboard.browser;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Headless Debian Chromium for browser tests. The flags keep it off the network, which
 * this machine does not have, and a screenshot of every page lands under
 * {@code target/screenshots} so a failure can be looked at.
 */
final class Browser {

    static final String CHROMIUM = System.getProperty("switchboard.chromium", "/usr/bin/chromium");
    static final String CHROMEDRIVER = System.getProperty("switchboard.chromedriver", "/usr/bin/chromedriver");

    private Browser() {
    }

    static WebDriver start() throws Exception {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-quic", "--no-first-run", "--window-size=1400,1000",
                "--user-data-dir=" + Files.createTempDirectory("chromium-profile"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(Path.of(CHROMEDRIVER).toFile())
                .usingAnyFreePort()
                .build();
        WebDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        return driver;
    }

    static void screenshot(WebDriver driver, String name) throws Exception {
        Path directory = Path.of("target", "screenshots");
        Files.createDirectories(directory);
        byte[] png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
        Files.write(directory.resolve(name + ".png"), png);
    }
}
