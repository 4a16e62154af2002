package io.switchboard.connect;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A RabbitMQ vhost of a test's own on the machine's broker, made and removed with rabbitmqctl. */
final class TestVhost {

    private TestVhost() {
    }

    static void create(String vhost) {
        rabbitmqctl("add_vhost", vhost);
        rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*");
    }

    static void delete(String vhost) {
        rabbitmqctl("delete_vhost", vhost);
    }

    private static void rabbitmqctl(String... arguments) {
        List<String> command = new ArrayList<>(List.of("rabbitmqctl", "-q"));
        command.addAll(List.of(arguments));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
            }
        } catch (Exception failed) {
            throw new IllegalStateException("rabbitmqctl " + String.join(" ", arguments) + ": " + failed, failed);
        }
    }
}
