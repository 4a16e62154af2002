/**
 * What a failure means, as a pure verdict: its category, whether another attempt may help and
 * when, the route contract every integration keeps, and the idempotency stores its routes use.
 * The inbox acts on the verdict (retries, holds, parks); nothing here stores an event.
 */
package io.switchboard.reliability;
