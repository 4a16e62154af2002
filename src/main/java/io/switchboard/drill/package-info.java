/**
 * Reliability drills: each integration tried against the cases that matter (one {@code DrillCase} class each,
 * listed in {@code DrillCases}), with evidence and a verdict per case; no case passes without evidence. A
 * database, mail server or folder the route calls is replaced by a test double of the drill's own
 * ({@code DrillDoubles}), cut off and slowed down through a {@code TcpFaultProxy}.
 */
package io.switchboard.drill;
