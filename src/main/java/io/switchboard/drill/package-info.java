/**
 * Reliability drills: each integration tried against the cases that matter (one {@code DrillCase} class each,
 * listed in {@code DrillCases}), with evidence and a verdict per case; no case passes without evidence. A
 * database, mail server, folder or AMQP broker the route calls is replaced by a test double of the drill's
 * own, and an MQTT or NATS broker by a topic prefix of the drill's own on it ({@code DrillDoubles}), cut off
 * and slowed down through a {@code TcpFaultProxy}.
 */
package io.switchboard.drill;
