/**
 * Webhook ingress: {@code POST /webhooks/{integration}} authenticates the sender, checks the
 * body, and stores the event in the inbox before it answers 202.
 */
package io.switchboard.ingress;
