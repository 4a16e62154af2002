/** The logic of the reference integrations: small beans their route files in {@code routes/} call. */
package io.switchboard.reference;
