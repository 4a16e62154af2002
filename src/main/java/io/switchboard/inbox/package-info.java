/**
 * The durable inbox: accepted events wait here until their integration's route has
 * processed them; the {@code inbox:} Camel component hands them to the route, and each
 * event is settled here by the reliability verdict: done, retried later, held for a
 * connection, or parked as a dead letter (and replayed from there).
 */
package io.switchboard.inbox;
