/** Which integrations exist, with their trigger, card (failure plan) and per-integration settings. */
package io.switchboard.integration;
