package io.switchboard.security;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code switchboard.security.login-throttle.*}: how failed logins are slowed down ({@link LoginThrottle}).
 *
 * @param maxFailures            failed logins of one account from one client address within
 *                               {@code window} that lock the account against that address (only);
 *                               also how many password checks of that account from that address
 *                               may run at once
 * @param maxFailuresPerAddress  failed logins from one client address within {@code window}, on any
 *                               accounts and API keys, that lock the address (higher: many people
 *                               may share one address)
 * @param maxFailuresPerAccount  failed logins of one account from all addresses together within
 *                               {@code window} that lock the account against every address that
 *                               has not signed in to it before (a guess spread over many addresses);
 *                               its owner still gets in from an address it signed in from
 * @param window                 how far back failures count
 * @param lockout                the first lock; each further lock within a day doubles it
 * @param maxLockout             the longest lock
 */
@ConfigurationProperties("switchboard.security.login-throttle")
public record LoginThrottleProperties(int maxFailures, int maxFailuresPerAddress, int maxFailuresPerAccount,
        Duration window, Duration lockout, Duration maxLockout) {

    public LoginThrottleProperties {
        maxFailures = maxFailures <= 0 ? 5 : maxFailures;
        maxFailuresPerAddress = maxFailuresPerAddress <= 0 ? 20 : maxFailuresPerAddress;
        maxFailuresPerAccount = maxFailuresPerAccount <= 0 ? 100 : maxFailuresPerAccount;
        window = window == null ? Duration.ofMinutes(5) : window;
        lockout = lockout == null ? Duration.ofMinutes(1) : lockout;
        maxLockout = maxLockout == null ? Duration.ofHours(1) : maxLockout;
    }
}
