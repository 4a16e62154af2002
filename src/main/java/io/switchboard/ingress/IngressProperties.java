package io.switchboard.ingress;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code switchboard.ingress.*}: limits that protect the webhook ingress as a whole, beside
 * each integration's own {@code webhook.*} settings.
 *
 * @param bodyDeadline  the longest a sender may take to send a whole body; a slower one is
 *                      answered 408 and nothing is stored. The body is read without holding a
 *                      thread, so slow senders cannot starve the server while they wait.
 * @param refusedPerSecond requests per second and client address that may be refused (wrong
 *                      signature, unknown integration, not JSON...) before that address gets
 *                      429 without being looked at; {@code 0} for no limit. Refused requests
 *                      never count against an integration's own rate limit.
 * @param refusedBurst  how many refusals an address may have at once before the limit bites
 */
@ConfigurationProperties("switchboard.ingress")
public record IngressProperties(Duration bodyDeadline, int refusedPerSecond, int refusedBurst) {

    public IngressProperties {
        bodyDeadline = bodyDeadline == null ? Duration.ofSeconds(5) : bodyDeadline;
        refusedPerSecond = refusedPerSecond < 0 ? 0 : refusedPerSecond;
        refusedBurst = refusedBurst <= 0 ? Math.max(1, refusedPerSecond * 2) : refusedBurst;
    }
}
