/**
 * The durable inbox: accepted events wait here until their integration's route has
 * processed them; the {@code inbox:} Camel component hands them to the route.
 */
package io.switchboard.inbox;
