package io.switchboard.security;

import java.time.Duration;

import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.LockedException;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.authentication.WebAuthenticationDetails;

/**
 * Checks user names and passwords (form login, HTTP Basic, Hawtio) and counts each failure
 * against the account and the client address; refuses outright while either is locked.
 */
final class ThrottledAuthenticationManager implements AuthenticationManager {

    private final AuthenticationManager passwords;
    private final LoginThrottle throttle;

    ThrottledAuthenticationManager(AuthenticationManager passwords, LoginThrottle throttle) {
        this.passwords = passwords;
        this.throttle = throttle;
    }

    @Override
    public Authentication authenticate(Authentication attempt) throws AuthenticationException {
        String account = attempt.getName();
        String address = attempt.getDetails() instanceof WebAuthenticationDetails web ? web.getRemoteAddress() : null;
        Duration locked = throttle.lockedFor(account, address);
        if (locked != null) {
            throw new LoginLockedException(locked);
        }
        try {
            Authentication authenticated = passwords.authenticate(attempt);
            throttle.succeeded(account);
            return authenticated;
        } catch (AuthenticationException failure) {
            throttle.failed(account, address);
            throw failure;
        }
    }

    /** A login refused because its account or address is locked, whatever the password. */
    static final class LoginLockedException extends LockedException {

        private final transient Duration retryAfter;

        LoginLockedException(Duration retryAfter) {
            super("Too many failed logins; locked for " + retryAfter.toSeconds() + " s");
            this.retryAfter = retryAfter;
        }

        Duration retryAfter() {
            return retryAfter;
        }
    }
}
