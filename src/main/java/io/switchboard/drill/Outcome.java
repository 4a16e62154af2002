package io.switchboard.drill;

import java.util.Collection;
import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A drill case's outcome, and the drill's verdict over its cases. {@code inconclusive}: the case
 * ran but saw nothing to judge by (no effect to compare, no call to count), so it neither passed
 * nor failed: a pass needs evidence.
 */
public enum Outcome {
    @JsonProperty("passed") PASSED,
    @JsonProperty("failed") FAILED,
    @JsonProperty("skipped") SKIPPED,
    @JsonProperty("inconclusive") INCONCLUSIVE;

    /** The word the API and the console show. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The drill's verdict: failed when a case failed; passed only when every case that applied
     * (not skipped) passed, and at least one did; inconclusive otherwise.
     */
    public static Outcome verdict(Collection<Outcome> cases) {
        if (cases.contains(FAILED)) {
            return FAILED;
        }
        boolean applied = cases.stream().anyMatch(o -> o != SKIPPED);
        return applied && cases.stream().allMatch(o -> o == PASSED || o == SKIPPED) ? PASSED : INCONCLUSIVE;
    }
}
