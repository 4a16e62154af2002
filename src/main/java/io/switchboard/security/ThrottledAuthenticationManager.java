package io.switchboard.security;

import java.time.Duration;

import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.LockedException;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.authentication.WebAuthenticationDetails;

/**
 * Checks user names and passwords (form login, HTTP Basic, Hawtio) through the failed-login
 * throttle: a slot is reserved before the password is checked and becomes a failure if it is
 * wrong; a login is refused outright while the account is locked for its address, the address
 * is locked, or the slots are all taken by checks in progress.
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
        // The slot is reserved before the password is checked, so parallel guesses cannot all be checked.
        LoginThrottle.Attempt slot = throttle.begin(account, address);
        if (slot.refusedFor() != null) {
            throw new LoginLockedException(slot.refusedFor(), slot.busy());
        }
        Authentication authenticated;
        try {
            authenticated = passwords.authenticate(attempt);
        } catch (AuthenticationException failure) {
            slot.failed();
            throw failure;
        } catch (RuntimeException broken) {
            slot.abandoned();
            throw broken;
        }
        slot.succeeded();
        return authenticated;
    }

    /**
     * A login refused whatever the password: its account or address is locked, or ({@link #busy()})
     * every slot is taken by checks still in progress.
     */
    static final class LoginLockedException extends LockedException {

        private final transient Duration retryAfter;
        private final boolean busy;

        LoginLockedException(Duration retryAfter, boolean busy) {
            super(busy ? "Too many logins of this account are being checked at once; try again in "
                    + retryAfter.toSeconds() + " s" : "Too many failed logins; refused for " + retryAfter.toSeconds() + " s");
            this.retryAfter = retryAfter;
            this.busy = busy;
        }

        Duration retryAfter() {
            return retryAfter;
        }

        boolean busy() {
            return busy;
        }
    }
}
