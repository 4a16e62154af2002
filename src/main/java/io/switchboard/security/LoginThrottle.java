package io.switchboard.security;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Failed logins, per account and per client address, for every way in: the login form,
 * HTTP Basic, API keys and Hawtio's login. Too many failures lock the account or the address
 * for a while, each lock within a day twice as long as the one before; while locked, even the
 * right password is refused, so guessing gains nothing by waiting for a lucky hit. Each lock
 * is logged once, when it starts. The state is per node: on N nodes a guesser gets N times
 * the attempts, still a few per minute.
 */
@Component
public class LoginThrottle {

    private static final Logger log = LoggerFactory.getLogger(LoginThrottle.class);
    /** Bounded memory under a spray of invented user names or addresses. */
    private static final int MAX_SUBJECTS = 100_000;
    private static final Duration ESCALATION_MEMORY = Duration.ofDays(1);

    private final LoginThrottleProperties properties;
    private final Clock clock;
    private final Map<String, Subject> accounts = new ConcurrentHashMap<>();
    private final Map<String, Subject> addresses = new ConcurrentHashMap<>();

    public LoginThrottle(LoginThrottleProperties properties, Clock clock) {
        this.properties = properties;
        this.clock = clock;
    }

    /** A lock in force: whose it is and until when. */
    public record Lock(String kind, String subject, Instant lockedUntil, int lockouts) {
    }

    /** How long the account or the address is still locked, or null when a login may be tried. */
    public Duration lockedFor(String account, String address) {
        Instant now = clock.instant();
        Duration longest = null;
        for (Subject subject : new Subject[] {subject(accounts, account, false), subject(addresses, address, false)}) {
            if (subject != null) {
                Duration left = subject.lockedFor(now);
                if (left != null && (longest == null || left.compareTo(longest) > 0)) {
                    longest = left;
                }
            }
        }
        return longest;
    }

    public void failed(String account, String address) {
        Instant now = clock.instant();
        Subject byAccount = subject(accounts, account, true);
        if (byAccount != null) {
            byAccount.fail(now, properties.maxFailures(), "account", account);
        }
        Subject byAddress = subject(addresses, address, true);
        if (byAddress != null) {
            byAddress.fail(now, properties.maxFailuresPerAddress(), "client address", address);
        }
    }

    /** A right password outside a lock: the account's failures are forgiven (the address's are not). */
    public void succeeded(String account) {
        Subject subject = subject(accounts, account, false);
        if (subject != null) {
            subject.forgiveFailures();
        }
    }

    /** The locks in force now, longest first, for the admins' view. */
    public List<Lock> activeLocks() {
        Instant now = clock.instant();
        List<Lock> locks = new ArrayList<>();
        accounts.forEach((name, subject) -> subject.lock(now, "account", name).ifPresent(locks::add));
        addresses.forEach((name, subject) -> subject.lock(now, "client-address", name).ifPresent(locks::add));
        locks.sort(Comparator.comparing(Lock::lockedUntil).reversed());
        return locks;
    }

    private Subject subject(Map<String, Subject> subjects, String key, boolean create) {
        if (key == null || key.isBlank()) {
            return null;
        }
        String normalized = key.toLowerCase(Locale.ROOT);
        if (!create) {
            return subjects.get(normalized);
        }
        if (subjects.size() >= MAX_SUBJECTS) {
            Instant now = clock.instant();
            subjects.values().removeIf(subject -> subject.forgettable(now));
        }
        return subjects.computeIfAbsent(normalized, ignored -> new Subject());
    }

    private final class Subject {

        private final Deque<Instant> failures = new ArrayDeque<>();
        private Instant lockedUntil = Instant.MIN;
        private Instant lastFailure = Instant.MIN;
        private int lockouts;

        synchronized Duration lockedFor(Instant now) {
            return now.isBefore(lockedUntil) ? Duration.between(now, lockedUntil) : null;
        }

        synchronized void fail(Instant now, int maxFailures, String kind, String name) {
            if (now.isBefore(lockedUntil)) {
                return; // refused before the password was checked; the lock already counts
            }
            if (lastFailure.isBefore(now.minus(ESCALATION_MEMORY))) {
                lockouts = 0;
            }
            lastFailure = now;
            Instant windowStart = now.minus(properties.window());
            while (!failures.isEmpty() && failures.peekFirst().isBefore(windowStart)) {
                failures.pollFirst();
            }
            failures.addLast(now);
            if (failures.size() >= maxFailures) {
                failures.clear();
                Duration lock = properties.lockout().multipliedBy(1L << Math.min(lockouts, 20));
                if (lock.compareTo(properties.maxLockout()) > 0) {
                    lock = properties.maxLockout();
                }
                lockouts++;
                lockedUntil = now.plus(lock);
                log.warn("login locked: {} '{}' after {} failed logins within {}; locked for {} (lock {} today)",
                        kind, name, maxFailures, properties.window(), lock, lockouts);
            }
        }

        synchronized void forgiveFailures() {
            failures.clear();
        }

        synchronized java.util.Optional<Lock> lock(Instant now, String kind, String name) {
            return now.isBefore(lockedUntil) ? java.util.Optional.of(new Lock(kind, name, lockedUntil, lockouts))
                    : java.util.Optional.empty();
        }

        synchronized boolean forgettable(Instant now) {
            return !now.isBefore(lockedUntil) && lastFailure.isBefore(now.minus(properties.window()));
        }
    }
}
