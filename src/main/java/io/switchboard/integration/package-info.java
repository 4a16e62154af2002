/**
 * Which integrations exist, with their trigger, card (failure plan) and per-integration settings,
 * and what every capability may know of their routes: the calls they make and the route files
 * refused on reload.
 */
package io.switchboard.integration;
