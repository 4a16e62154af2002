/**
 * Reliability drills: each integration tried against the cases that matter (one {@code DrillCase} class each,
 * listed in {@code DrillCases}), with evidence and a verdict per case; no case passes without evidence.
 */
package io.switchboard.drill;
