package io.switchboard.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import io.switchboard.support.MutableClock;
import org.assertj.core.groups.Tuple;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.authentication.WebAuthenticationDetails;

/** The failed-login throttle's rules, on a clock the test moves. */
class LoginThrottleTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
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
                LoginThrottle.Lock::clientAddress).containsExactly(Tuple.tuple("account", "ada",
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
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger checked = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        // Every password check waits until the test lets them all go: as parallel as parallel gets.
        ThrottledAuthenticationManager manager = manager(attempt -> {
            checked.incrementAndGet();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "right".equals(attempt.getCredentials());
        });
        ExecutorService pool = Executors.newFixedThreadPool(40);
        try {
            List<Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                String password = i == 20 ? "right" : "guess-" + i;
                answers.add(pool.submit(() -> {
                    try {
                        manager.authenticate(from("lin", password, "203.0.113.9"));
                        return "200";
                    } catch (ThrottledAuthenticationManager.LoginLockedException locked) {
                        refused.incrementAndGet();
                        return locked.busy() ? "429 busy" : "429 locked";
                    } catch (BadCredentialsException wrong) {
                        return "401";
                    }
                }));
            }
            Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> checked.get() + refused.get() == 40);
            release.countDown();
            List<String> statuses = new ArrayList<>();
            for (var answer : answers) {
                statuses.add(answer.get(10, TimeUnit.SECONDS));
            }
            assertThat(checked.get()).as("passwords checked").isEqualTo(5);
            assertThat(statuses).filteredOn("401"::equals).hasSizeLessThanOrEqualTo(5);
            assertThat(statuses).as("refused while the five checks ran: told to try again, not that they are locked")
                    .filteredOn("429 busy"::equals).hasSize(35);
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
        assertThat(throttle.lockedFor("lin", "203.0.113.9")).as("the checks in progress became failures").isNotNull();
        LoginThrottle.Attempt afterwards = throttle.begin("lin", "203.0.113.9");
        assertThat(afterwards.refusedFor()).as("locked now").isEqualTo(Duration.ofMinutes(1));
        assertThat(afterwards.busy()).as("a lock is not a busy moment").isFalse();
    }

    @Test
    void parallelWrongApiKeysFromOneAddressGetNoMore401sThanItsLimit() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        List<Future<LoginThrottle.Checked<String>>> answers = new ArrayList<>();
        try {
            for (int i = 0; i < 60; i++) {
                answers.add(pool.submit(() -> throttle.checkKey("203.0.113.50", () -> null)));
            }
            int wrong = 0;
            for (var answer : answers) {
                wrong += answer.get(10, TimeUnit.SECONDS).refusedFor() == null ? 1 : 0;
            }
            assertThat(wrong).as("keys compared and answered 401").isEqualTo(20);
        } finally {
            pool.shutdownNow();
        }
    }

    private ThrottledAuthenticationManager manager(Predicate<Authentication> right) {
        return new ThrottledAuthenticationManager(attempt -> {
            if (!right.test(attempt)) {
                throw new BadCredentialsException("wrong");
            }
            return UsernamePasswordAuthenticationToken.authenticated(attempt.getName(), null, List.of());
        }, throttle);
    }

    private static UsernamePasswordAuthenticationToken from(String user, String password, String address) {
        UsernamePasswordAuthenticationToken attempt = UsernamePasswordAuthenticationToken.unauthenticated(user, password);
        MockHttpServletRequest request = new MockHttpServletRequest();
        request.setRemoteAddr(address);
        attempt.setDetails(new WebAuthenticationDetails(request));
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
            return UsernamePasswordAuthenticationToken.authenticated(attempt.getName(), null, List.of());
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
