/** Reliability drills: each integration tried against the cases that matter, with evidence and a verdict per case. */
package io.switchboard.drill;
