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
            new LoginThrottleProperties(5, 20, 30, Duration.ofMinutes(5), Duration.ofMinutes(1), Duration.ofHours(1)),
            clock);

    @Test
    void fifthFailureWithinTheWindowLocksTheAccountForThatAddressAndEachLockIsLonger() {
        for (int i = 0; i < 4; i++) {
            throttle.failed("Ada", "10.0.0.1");
        }
        assertThat(throttle.lockedFor("ada", "10.0.0.1")).isNull();
        throttle.failed("ada", "10.0.0.1");
        assertThat(throttle.lockedFor("ADA", "10.0.0.1")).isEqualTo(Duration.ofMinutes(1));
        assertThat(throttle.lockedFor("ada", "10.0.0.2")).as("another address").isNull();
        assertThat(throttle.activeLocks()).extracting(LoginThrottle.Lock::kind, LoginThrottle.Lock::subject,
                LoginThrottle.Lock::clientAddress).containsExactly(org.assertj.core.groups.Tuple.tuple("account", "ada",
                "10.0.0.1"));

        clock.advance(Duration.ofMinutes(1));
        assertThat(throttle.lockedFor("ada", "10.0.0.1")).isNull();
        for (int i = 0; i < 5; i++) {
            throttle.failed("ada", "10.0.0.1");
        }
        assertThat(throttle.lockedFor("ada", "10.0.0.1")).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void anAttackersFailuresDoNotLockTheOwnerOutFromAnotherAddress() {
        ThrottledAuthenticationManager manager = manager(attempt -> "right".equals(attempt.getCredentials()));
        for (int i = 0; i < 5; i++) {
            assertThatThrownBy(() -> manager.authenticate(from("admin", "guess", "203.0.113.66")))
                    .isInstanceOf(BadCredentialsException.class);
        }
        assertThatThrownBy(() -> manager.authenticate(from("admin", "right", "203.0.113.66")))
                .as("the attacker's address, even with the right password")
                .isInstanceOf(ThrottledAuthenticationManager.LoginLockedException.class);
        assertThat(manager.authenticate(from("admin", "right", "198.51.100.7")).isAuthenticated())
                .as("the owner from elsewhere").isTrue();
    }

    @Test
    void aGuessSpreadOverManyAddressesLocksTheAccountOnlyForAddressesNewToIt() {
        throttle.succeeded("grace", "198.51.100.7");
        for (int i = 0; i < 30; i++) {
            throttle.failed("grace", "203.0.113." + i);
        }
        assertThat(throttle.lockedFor("grace", "192.0.2.1")).as("an address new to the account")
                .isEqualTo(Duration.ofMinutes(1));
        assertThat(throttle.lockedFor("grace", "198.51.100.7")).as("where the owner signed in before").isNull();
        assertThat(throttle.begin("grace", "198.51.100.7").refusedFor()).isNull();
        assertThat(throttle.lockedFor("someone-else", "192.0.2.1")).isNull();
        assertThat(throttle.activeLocks()).extracting(LoginThrottle.Lock::kind)
                .containsExactly("account-from-new-addresses");
    }

    @Test
    void parallelGuessesAreCheckedNoMoreOftenThanTheLimit() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger checked = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
        // Every password check waits until the test lets them all go: as parallel as parallel gets.
        ThrottledAuthenticationManager manager = manager(attempt -> {
            checked.incrementAndGet();
            try {
                release.await(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "right".equals(attempt.getCredentials());
        });
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(40);
        try {
            java.util.List<java.util.concurrent.Future<String>> answers = new java.util.ArrayList<>();
            for (int i = 0; i < 40; i++) {
                String password = i == 20 ? "right" : "guess-" + i;
                answers.add(pool.submit(() -> {
                    try {
                        manager.authenticate(from("lin", password, "203.0.113.9"));
                        return "200";
                    } catch (ThrottledAuthenticationManager.LoginLockedException locked) {
                        refused.incrementAndGet();
                        return "429";
                    } catch (BadCredentialsException wrong) {
                        return "401";
                    }
                }));
            }
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> checked.get() + refused.get() == 40);
            release.countDown();
            java.util.List<String> statuses = new java.util.ArrayList<>();
            for (var answer : answers) {
                statuses.add(answer.get(10, java.util.concurrent.TimeUnit.SECONDS));
            }
            assertThat(checked.get()).as("passwords checked").isEqualTo(5);
            assertThat(statuses).filteredOn("401"::equals).hasSizeLessThanOrEqualTo(5);
            assertThat(statuses).filteredOn("429"::equals).hasSize(35);
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
        assertThat(throttle.lockedFor("lin", "203.0.113.9")).as("the checks in progress became failures").isNotNull();
    }

    @Test
    void parallelWrongApiKeysFromOneAddressGetNoMore401sThanItsLimit() throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(16);
        java.util.List<java.util.concurrent.Future<LoginThrottle.Checked<String>>> answers = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 60; i++) {
                answers.add(pool.submit(() -> throttle.checkKey("203.0.113.50", () -> null)));
            }
            int wrong = 0;
            for (var answer : answers) {
                wrong += answer.get(10, java.util.concurrent.TimeUnit.SECONDS).refusedFor() == null ? 1 : 0;
            }
            assertThat(wrong).as("keys compared and answered 401").isEqualTo(20);
        } finally {
            pool.shutdownNow();
        }
    }

    private ThrottledAuthenticationManager manager(java.util.function.Predicate<org.springframework.security.core.Authentication> right) {
        return new ThrottledAuthenticationManager(attempt -> {
            if (!right.test(attempt)) {
                throw new BadCredentialsException("wrong");
            }
            return UsernamePasswordAuthenticationToken.authenticated(attempt.getName(), null, java.util.List.of());
        }, throttle);
    }

    private static UsernamePasswordAuthenticationToken from(String user, String password, String address) {
        UsernamePasswordAuthenticationToken attempt = UsernamePasswordAuthenticationToken.unauthenticated(user, password);
        org.springframework.mock.web.MockHttpServletRequest request = new org.springframework.mock.web.MockHttpServletRequest();
        request.setRemoteAddr(address);
        attempt.setDetails(new org.springframework.security.web.authentication.WebAuthenticationDetails(request));
        return attempt;
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
