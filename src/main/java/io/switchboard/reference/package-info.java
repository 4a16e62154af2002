/**
 * The logic of the reference integrations (lead intake, invoice sync, customer lookup,
 * lead follow-up): small beans their route files in {@code routes/} call.
 */
package io.switchboard.reference;
