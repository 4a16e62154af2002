package io.switchboard.support;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The server as a process of its own, started from the test classpath, for what only another
 * JVM can show: a {@code kill -9} ({@link #kill()}: no shutdown hook, no last commit), several
 * nodes on one database. Each start appends to the same log, {@code <logFolder>/<name>.log}.
 */
public final class ServerProcess {

    private final String name;
    private final int port;
    private final Path log;
    private final List<String> arguments;
    private final Map<String, String> environment;
    private Process process;

    /**
     * @param arguments   Spring Boot arguments ({@code --key=value}); {@code --server.port} is added
     * @param environment variables for the process besides this JVM's (the placeholders' secrets)
     */
    public ServerProcess(String name, Path logFolder, List<String> arguments, Map<String, String> environment) {
        this.name = name;
        this.port = freePort();
        try {
            this.log = Files.createDirectories(logFolder).resolve(name + ".log");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.arguments = List.copyOf(arguments);
        this.environment = Map.copyOf(environment);
    }

    public String name() {
        return name;
    }

    public int port() {
        return port;
    }

    public String baseUrl() {
        return "http://localhost:" + port;
    }

    public Path log() {
        return log;
    }

    /** Starts the process (again, after a kill or a stop) on the same port. */
    public void start() {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // Small and quick to start: several of these share a CI machine's cores.
                "-Xmx384m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"),
                "io.switchboard.SwitchboardApplication",
                "--server.port=" + port));
        command.addAll(arguments);
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(environment);
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + name, e);
        }
    }

    /** Waits until readiness answers 200; fails at once, naming the log, if the process exits. */
    public void awaitReady(Duration atMost) {
        HttpClient http = HttpClient.newHttpClient();
        await().atMost(atMost).pollInterval(Duration.ofSeconds(1)).until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + log);
            }
            try {
                return http.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/actuator/health/readiness")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
            } catch (IOException notYet) {
                return false;
            }
        });
    }

    public boolean alive() {
        return process != null && process.isAlive();
    }

    /** {@code kill -9}: the process ends at once, whatever it had in hand. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** A graceful stop (SIGTERM), forced after 40 s. */
    public void stop() throws InterruptedException {
        if (alive()) {
            process.destroy();
            if (!process.waitFor(40, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    /** A port free now (another process may take it before the server does; rare on a test machine). */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return name + " on port " + port + " (log " + log + ")";
    }
}
