package io.switchboard.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import io.switchboard.integration.IntegrationsProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dev secret's log line is a shell command that really signs a delivery the server accepts. */
class DevSecretsNoticeTest {

    private static final String SECRET = "whsec_" + Base64.getEncoder()
            .encodeToString("dev-notice-secret-24-byte".getBytes(StandardCharsets.UTF_8));

    @TempDir
    Path dir;

    @Test
    void theStandardWebhooksLineSignsWhatTheAuthenticatorAccepts() throws Exception {
        String line = DevSecretsNotice.curl("standard-webhooks", "X-Api-Key", "http://localhost:8080/webhooks/order-paid",
                SECRET, "{\"note\":\"it's here\"}");
        assertThat(line).doesNotContain("\n").contains("curl -i http://localhost:8080/webhooks/order-paid");
        Map<String, String> sent = run(line);
        var authenticator = WebhookAuthenticators.forSettings("order-paid",
                new IntegrationsProperties.Webhook("standard-webhooks", List.of(SECRET), null,
                        null, Duration.ofMinutes(5), 0), Clock.systemUTC());
        String deliveryId = authenticator.authenticate(new SignedRequest(sent.get("body").getBytes(StandardCharsets.UTF_8),
                sent), List.of(SECRET));
        assertThat(deliveryId).startsWith("msg_");
        assertThat(sent.get("body")).isEqualTo("{\"note\":\"it's here\"}");
    }

    @Test
    void otherSchemesCarryTheirHeaders() {
        assertThat(DevSecretsNotice.curl("api-key", "X-Hook-Token", "http://h/webhooks/x", "k1", "{}"))
                .contains("-H 'X-Hook-Token: k1'");
        assertThat(DevSecretsNotice.curl("github", "X-Api-Key", "http://h/webhooks/x", "g1", "{}"))
                .contains("X-Hub-Signature-256: sha256=$SIG").contains("-hmac 'g1'");
        assertThat(DevSecretsNotice.curl("stripe", "X-Api-Key", "http://h/webhooks/x", "s1", "{}"))
                .contains("Stripe-Signature: t=$TS,v1=$SIG");
    }

    /** Runs the line with a fake curl that records the headers (lower-case names) and the body it was given. */
    private Map<String, String> run(String line) throws Exception {
        Path fake = dir.resolve("curl");
        Files.writeString(fake, """
                #!/usr/bin/env bash
                while [ $# -gt 0 ]; do
                  case "$1" in
                    -H) printf '%s\\n' "$2" >> "$OUT/headers"; shift 2;;
                    -d) printf '%s' "$2" > "$OUT/body"; shift 2;;
                    *) shift;;
                  esac
                done
                """);
        assertThat(fake.toFile().setExecutable(true)).isTrue();
        ProcessBuilder builder = new ProcessBuilder("bash", "-c", line).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(dir.resolve("out.txt").toFile());
        builder.environment().put("PATH", dir + ":" + System.getenv("PATH"));
        builder.environment().put("OUT", dir.toString());
        Process process = builder.start();
        assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(Files.readString(dir.resolve("out.txt"))).isZero();
        Map<String, String> sent = new TreeMap<>();
        for (String header : Files.readAllLines(dir.resolve("headers"))) {
            int colon = header.indexOf(':');
            sent.put(header.substring(0, colon).strip().toLowerCase(Locale.ROOT), header.substring(colon + 1).strip());
        }
        sent.put("body", Files.readString(dir.resolve("body")));
        return sent;
    }
}
