package io.switchboard.security;

import io.switchboard.support.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;

/** The failed-login throttle's rules, on a clock the test moves. */
class LoginThrottleTest {

    private final MutableClock clock = new MutableClock(java.time.Instant.parse("2026-12-01T10:00:00Z"));
    private final LoginThrottle throttle = new LoginThrottle(
            new LoginThrottleProperties(5, 20, Duration.ofMinutes(5), Duration.ofMinutes(1), Duration.ofHours(1)), clock);

    @Test
    void fifthFailureWithinTheWindowLocksTheAccountAndEachLockIsLonger() {
        for (int i = 0; i < 4; i++) {
            throttle.failed("Ada", "10.0.0.1");
        }
        assertThat(throttle.lockedFor("ada", "10.0.0.2")).isNull();
        throttle.failed("ada", "10.0.0.1");
        assertThat(throttle.lockedFor("ADA", "10.0.0.2")).isEqualTo(Duration.ofMinutes(1));
        assertThat(throttle.activeLocks()).extracting(LoginThrottle.Lock::subject).containsExactly("ada");

        clock.advance(Duration.ofMinutes(1));
        assertThat(throttle.lockedFor("ada", null)).isNull();
        for (int i = 0; i < 5; i++) {
            throttle.failed("ada", "10.0.0.1");
        }
        assertThat(throttle.lockedFor("ada", null)).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void failuresOutsideTheWindowAreForgotten() {
        for (int i = 0; i < 4; i++) {
            throttle.failed("grace", null);
        }
        clock.advance(Duration.ofMinutes(6));
        throttle.failed("grace", null);
        assertThat(throttle.lockedFor("grace", null)).isNull();
    }

    @Test
    void manyAccountsTriedFromOneAddressLockTheAddress() {
        for (int i = 0; i < 20; i++) {
            throttle.failed("user-" + i, "203.0.113.9");
        }
        assertThat(throttle.lockedFor("someone-else", "203.0.113.9")).isEqualTo(Duration.ofMinutes(1));
        assertThat(throttle.lockedFor("someone-else", "203.0.113.10")).isNull();
        assertThat(throttle.activeLocks()).extracting(LoginThrottle.Lock::kind).containsExactly("client-address");
    }

    @Test
    void theRightPasswordDoesNotUnlockEarly() {
        ThrottledAuthenticationManager manager = new ThrottledAuthenticationManager(attempt -> {
            if (!"right".equals(attempt.getCredentials())) {
                throw new BadCredentialsException("wrong");
            }
            return UsernamePasswordAuthenticationToken.authenticated(attempt.getName(), null, java.util.List.of());
        }, throttle);
        for (int i = 0; i < 5; i++) {
            assertThatThrownBy(() -> manager.authenticate(UsernamePasswordAuthenticationToken.unauthenticated("lin", "x")))
                    .isInstanceOf(BadCredentialsException.class);
        }
        assertThatThrownBy(() -> manager.authenticate(UsernamePasswordAuthenticationToken.unauthenticated("lin", "right")))
                .isInstanceOf(ThrottledAuthenticationManager.LoginLockedException.class);
        clock.advance(Duration.ofMinutes(1));
        assertThat(manager.authenticate(UsernamePasswordAuthenticationToken.unauthenticated("lin", "right"))
                .isAuthenticated()).isTrue();
    }
}
