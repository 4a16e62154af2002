package io.switchboard.security;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Failed logins for every way in: the login form, HTTP Basic, API keys and Hawtio's login,
 * counted per account <em>and client address</em> (the pair), per client address, and per
 * account over all addresses. Following OWASP's advice against lockouts aimed at somebody
 * else, an account is locked only against the address that failed on it: an address that
 * fails {@code max-failures} times on one account is refused that account; an address that
 * fails {@code max-failures-per-address} times on any accounts is refused everywhere; and an
 * account that fails {@code max-failures-per-account} times from anywhere (a guess spread over
 * many addresses) is refused to every address that has not signed in to it before, so its owner
 * still gets in from the usual places. Each lock within a day is twice as long as the one
 * before; while locked, even the right password is refused, so guessing gains nothing by
 * waiting for a lucky hit.
 *
 * <p>A password is checked only after a slot has been reserved ({@link #begin}): the failures in
 * the window plus the checks in progress never exceed a limit, so a burst of parallel guesses
 * gets no more answers than one guess after another would (the rest are refused with a short
 * wait). Each lock is logged once, when it starts. The state is per node: on N nodes a guesser
 * gets N times the attempts, still a few per minute.
 */
@Component
public class LoginThrottle {

    private static final Logger log = LoggerFactory.getLogger(LoginThrottle.class);
    /** Bounded memory under a spray of invented user names or addresses. */
    private static final int MAX_SUBJECTS = 100_000;
    /** Addresses remembered per account as having signed in to it. */
    private static final int KNOWN_ADDRESSES_PER_ACCOUNT = 32;
    private static final Duration ESCALATION_MEMORY = Duration.ofDays(1);
    /** How long a login waits when every slot of its account or address is taken by checks in progress. */
    static final Duration BUSY = Duration.ofSeconds(1);
    /** How long a login waits for a check in progress to free its slot before it is refused. */
    static final Duration WAIT_FOR_SLOT = Duration.ofSeconds(2);

    private final LoginThrottleProperties properties;
    private final Clock clock;
    private static final int PAIR = 0;
    private static final int ADDRESS = 1;
    private static final String[] KINDS = {"account", "client address", "account from addresses new to it"};

    private final Map<String, Subject> pairs = new ConcurrentHashMap<>();
    private final Map<String, Subject> addresses = new ConcurrentHashMap<>();
    private final Map<String, Subject> accounts = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> knownAddresses = new ConcurrentHashMap<>();

    public LoginThrottle(LoginThrottleProperties properties, Clock clock) {
        this.properties = properties;
        this.clock = clock;
    }

    /**
     * A lock in force: whose it is, against which client address, and until when. Kinds:
     * {@code account} (the account, for {@code clientAddress} only), {@code client-address}
     * (that address, for every account) and {@code account-from-new-addresses} (the account,
     * for every address that has not signed in to it before).
     */
    public record Lock(String kind, String subject, String clientAddress, Instant lockedUntil, int lockouts) {
    }

    /**
     * A reserved login attempt: check the password, then say how it went, exactly once.
     * {@link #refusedFor()} is non-null when nothing was reserved and the login must be refused.
     */
    public final class Attempt {

        private final String account;
        private final String address;
        /** The pair's, the address's and the account's slot, each null where nothing was reserved. */
        private final Subject[] reserved;
        private final Duration refusedFor;

        private Attempt(String account, String address, Subject[] reserved, Duration refusedFor) {
            this.account = account;
            this.address = address;
            this.reserved = reserved;
            this.refusedFor = refusedFor;
        }

        /** How long the login must wait (a lock, or {@link #BUSY}), or null when it may be checked. */
        public Duration refusedFor() {
            return refusedFor;
        }

        /**
         * Refused because every slot was taken by checks still in progress, not by a lock: the
         * person may have typed the right password and only has to try again in a second.
         * ({@link Subject#reserve} gives {@link #BUSY} itself; a lock's time left is a new value.)
         */
        public boolean busy() {
            return refusedFor == BUSY;
        }

        /** The right password: the pair's failures are forgiven and the address is known to the account. */
        public void succeeded() {
            release(reserved);
            Subject pair = reserved[PAIR];
            if (pair != null) {
                pair.forgiveFailures();
            }
            rememberAddress(account, address);
        }

        /** A wrong password: each reserved slot becomes a failure in the same step, so no other check slips in. */
        public void failed() {
            record(clock.instant(), account, address, reserved);
        }

        /** The check itself broke (not a wrong password): the slots are given back. */
        public void abandoned() {
            release(reserved);
        }
    }

    /** How long a login of the account from the address is still locked, or null when it may be tried. */
    public Duration lockedFor(String account, String address) {
        Instant now = clock.instant();
        Duration longest = null;
        for (Subject subject : subjectsFor(account, address, false)) {
            if (subject != null) {
                longest = longer(longest, subject.lockedFor(now));
            }
        }
        return longest;
    }

    /**
     * Reserves a password check of the account from the address, atomically against every limit
     * it counts for: refused while a lock is in force or while the failures in the window plus
     * the checks in progress have reached a limit.
     */
    public Attempt begin(String account, String address) {
        Instant now = clock.instant();
        Subject[] subjects = subjectsFor(account, address, true);
        Subject[] reserved = new Subject[subjects.length];
        for (int i = 0; i < subjects.length; i++) {
            if (subjects[i] == null) {
                continue;
            }
            Duration refused = subjects[i].reserve(now, limit(i));
            if (refused != null) {
                release(reserved);
                return new Attempt(account, address, new Subject[subjects.length], refused);
            }
            reserved[i] = subjects[i];
        }
        return new Attempt(account, address, reserved, null);
    }

    /**
     * An API key check from the address, run while holding the address's count, so parallel
     * wrong keys are answered one at a time and never past the address's limit: the check's
     * result, or empty with how long to wait. A check that gives null is a failure.
     */
    public <T> Checked<T> checkKey(String address, Supplier<T> check) {
        Subject subject = subject(addresses, address, true);
        if (subject == null) {
            return new Checked<>(check.get(), null);
        }
        return subject.checkAtomically(clock.instant(), properties.maxFailuresPerAddress(), "client address", address,
                check);
    }

    /** What {@link #checkKey} gives: the check's result, or how long the address must wait. */
    public record Checked<T>(T result, Duration refusedFor) {
    }

    /** A failure outside a reservation (counted unless a lock is already in force). */
    public void failed(String account, String address) {
        record(clock.instant(), account, address, new Subject[KINDS.length]);
    }

    /** A right password outside a reservation. */
    public void succeeded(String account, String address) {
        new Attempt(account, address, new Subject[KINDS.length], null).succeeded();
    }

    /** The locks in force now, longest first, for the admins' view. */
    public List<Lock> activeLocks() {
        Instant now = clock.instant();
        List<Lock> locks = new ArrayList<>();
        pairs.forEach((name, subject) -> {
            int bar = name.indexOf('\n');
            String address = name.substring(bar + 1);
            subject.lock(now, "account", name.substring(0, bar), address.isEmpty() ? null : address)
                    .ifPresent(locks::add);
        });
        addresses.forEach((name, subject) -> subject.lock(now, "client-address", name, name).ifPresent(locks::add));
        accounts.forEach((name, subject) -> subject.lock(now, "account-from-new-addresses", name, null)
                .ifPresent(locks::add));
        locks.sort(Comparator.comparing(Lock::lockedUntil).reversed());
        return locks;
    }

    /** Counts a failure for the pair, the address and the account, turning the reserved slots into failures. */
    private void record(Instant now, String account, String address, Subject[] reserved) {
        String[] names = {pairKey(account, address), address, account};
        Subject[] subjects = {subject(pairs, names[PAIR], true), subject(addresses, address, true),
                subject(accounts, account, true)};
        for (int i = 0; i < subjects.length; i++) {
            if (subjects[i] != null) {
                subjects[i].fail(now, limit(i), KINDS[i], names[i].replace('\n', '@'), reserved[i] == subjects[i]);
            } else if (reserved[i] != null) {
                reserved[i].release();
            }
        }
    }

    private static void release(Subject[] reserved) {
        for (Subject subject : reserved) {
            if (subject != null) {
                subject.release();
            }
        }
    }

    /** The pair, the address and (unless the address has signed in to the account before) the account. */
    private Subject[] subjectsFor(String account, String address, boolean create) {
        return new Subject[] {subject(pairs, pairKey(account, address), create), subject(addresses, address, create),
                known(account, address) ? null : subject(accounts, account, create)};
    }

    private int limit(int kind) {
        return switch (kind) {
            case PAIR -> properties.maxFailures();
            case ADDRESS -> properties.maxFailuresPerAddress();
            default -> properties.maxFailuresPerAccount();
        };
    }

    private boolean known(String account, String address) {
        if (account == null || address == null) {
            return false;
        }
        Set<String> known = knownAddresses.get(account.toLowerCase(Locale.ROOT));
        if (known == null) {
            return false;
        }
        synchronized (known) {
            return known.contains(address.toLowerCase(Locale.ROOT));
        }
    }

    private void rememberAddress(String account, String address) {
        if (account == null || account.isBlank() || address == null || address.isBlank()) {
            return;
        }
        if (knownAddresses.size() >= MAX_SUBJECTS) {
            knownAddresses.clear();
        }
        Set<String> known = knownAddresses.computeIfAbsent(account.toLowerCase(Locale.ROOT),
                ignored -> new LinkedHashSet<>());
        synchronized (known) {
            String normalized = address.toLowerCase(Locale.ROOT);
            known.remove(normalized);
            known.add(normalized);
            if (known.size() > KNOWN_ADDRESSES_PER_ACCOUNT) {
                known.remove(known.iterator().next());
            }
        }
    }

    /** One key per account and address; an unknown address is a pair of its own (""), still per account. */
    private static String pairKey(String account, String address) {
        if (account == null || account.isBlank()) {
            return null;
        }
        return account + "\n" + (address == null ? "" : address);
    }

    private static Duration longer(Duration a, Duration b) {
        return b != null && (a == null || b.compareTo(a) > 0) ? b : a;
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
        /** Checks reserved and not yet answered. */
        private int inProgress;

        synchronized Duration lockedFor(Instant now) {
            return now.isBefore(lockedUntil) ? Duration.between(now, lockedUntil) : null;
        }

        /**
         * Null once a slot is reserved; else the lock left, or {@link #BUSY} while the slots stay
         * taken. A login that finds every slot held by checks in progress waits for one of them
         * (at most {@link #WAIT_FOR_SLOT}) instead of being refused at once: a script's parallel
         * calls with the right password go through one after another, while parallel guesses
         * still get no more checks than the limit, since each wrong one keeps its slot as a failure.
         */
        synchronized Duration reserve(Instant now, int maxFailures) {
            long deadline = System.nanoTime() + WAIT_FOR_SLOT.toNanos();
            Instant at = now;
            while (true) {
                Duration locked = lockedFor(at);
                if (locked != null) {
                    return locked;
                }
                forgetOld(at);
                if (failures.size() + inProgress < maxFailures) {
                    inProgress++;
                    return null;
                }
                long left = deadline - System.nanoTime();
                if (inProgress == 0 || left <= 0) {
                    return BUSY;
                }
                try {
                    wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return BUSY;
                }
                at = clock.instant();
            }
        }

        synchronized void release() {
            inProgress = Math.max(0, inProgress - 1);
            notifyAll();
        }

        synchronized <T> Checked<T> checkAtomically(Instant now, int maxFailures, String kind, String name,
                Supplier<T> check) {
            Duration refused = reserve(now, maxFailures);
            if (refused != null) {
                return new Checked<>(null, refused);
            }
            T result = check.get();
            if (result == null) {
                fail(now, maxFailures, kind, name, true);
            } else {
                release();
            }
            return new Checked<>(result, null);
        }

        /** A failure; {@code reserved}: it ends a check this subject had reserved a slot for. */
        synchronized void fail(Instant now, int maxFailures, String kind, String name, boolean reserved) {
            if (reserved) {
                release();
            }
            if (now.isBefore(lockedUntil)) {
                return; // refused before the password was checked; the lock already counts
            }
            if (lastFailure.isBefore(now.minus(ESCALATION_MEMORY))) {
                lockouts = 0;
            }
            lastFailure = now;
            forgetOld(now);
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

        private void forgetOld(Instant now) {
            Instant windowStart = now.minus(properties.window());
            while (!failures.isEmpty() && failures.peekFirst().isBefore(windowStart)) {
                failures.pollFirst();
            }
        }

        synchronized void forgiveFailures() {
            failures.clear();
        }

        synchronized Optional<Lock> lock(Instant now, String kind, String name, String address) {
            return now.isBefore(lockedUntil) ? Optional.of(new Lock(kind, name, address, lockedUntil, lockouts))
                    : Optional.empty();
        }

        synchronized boolean forgettable(Instant now) {
            return inProgress == 0 && !now.isBefore(lockedUntil) && lastFailure.isBefore(now.minus(properties.window()));
        }
    }
}
