package io.switchboard.browser;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;

import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

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

    /**
     * Waits until the console shows the user signed in. If it never does, the failure says what
     * the browser shows instead (its address and text) and what the server's request threads
     * were doing, so a login that went wrong on a CI machine can be told apart from one that hung.
     */
    static void awaitSignedIn(WebDriver driver, WebDriverWait wait, String user) {
        try {
            wait.until(ExpectedConditions.textToBe(By.cssSelector("[data-testid=user-name]"), user));
        } catch (RuntimeException notSignedIn) {
            throw new AssertionError(user + " was not signed in. The browser shows " + driver.getCurrentUrl() + ":\n"
                    + shown(driver) + "\nThe server's request threads:\n" + requestThreads(), notSignedIn);
        }
    }

    private static String shown(WebDriver driver) {
        try {
            String text = driver.findElement(By.tagName("body")).getText();
            return text.length() > 600 ? text.substring(0, 600) + "..." : text;
        } catch (RuntimeException noBody) {
            return "(no body: " + noBody.getClass().getSimpleName() + ")";
        }
    }

    /** The servers run in this JVM: the stacks of their request threads that are not idle in the pool. */
    private static String requestThreads() {
        return Thread.getAllStackTraces().entrySet().stream()
                .filter(thread -> thread.getKey().getName().startsWith("http-nio"))
                .filter(thread -> Arrays.stream(thread.getValue()).anyMatch(frame -> frame.getClassName().startsWith("org.springframework")
                        || frame.getClassName().startsWith("io.switchboard")))
                .map(Browser::describe)
                .collect(Collectors.collectingAndThen(Collectors.joining("\n"), busy -> busy.isEmpty() ? "(none busy)" : busy));
    }

    private static String describe(Map.Entry<Thread, StackTraceElement[]> thread) {
        return thread.getKey().getName() + " " + thread.getKey().getState() + Arrays.stream(thread.getValue())
                .limit(40).map(frame -> "\n    at " + frame).collect(Collectors.joining());
    }

    static void screenshot(WebDriver driver, String name) throws Exception {
        Path directory = Path.of("target", "screenshots");
        Files.createDirectories(directory);
        byte[] png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
        Files.write(directory.resolve(name + ".png"), png);
    }
}
