package io.switchboard.security;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code switchboard.security.login-throttle.*}: how failed logins are slowed down.
 *
 * @param maxFailures            failed logins of one account within {@code window} that lock it
 * @param maxFailuresPerAddress  failed logins from one client address within {@code window} that
 *                               lock the address (higher: many people may share one address)
 * @param window                 how far back failures count
 * @param lockout                the first lock; each further lock within a day doubles it
 * @param maxLockout             the longest lock
 */
@ConfigurationProperties("switchboard.security.login-throttle")
public record LoginThrottleProperties(int maxFailures, int maxFailuresPerAddress, Duration window,
        Duration lockout, Duration maxLockout) {

    public LoginThrottleProperties {
        maxFailures = maxFailures <= 0 ? 5 : maxFailures;
        maxFailuresPerAddress = maxFailuresPerAddress <= 0 ? 20 : maxFailuresPerAddress;
        window = window == null ? Duration.ofMinutes(5) : window;
        lockout = lockout == null ? Duration.ofMinutes(1) : lockout;
        maxLockout = maxLockout == null ? Duration.ofHours(1) : maxLockout;
    }
}
