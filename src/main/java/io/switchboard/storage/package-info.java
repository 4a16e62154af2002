/**
 * What the capabilities need to know about the database they store into: which engine it is,
 * so a write can take the engine's one-statement form where it has one; and, for the embedded
 * H2 file, a folder only the server's user can read.
 */
package io.switchboard.storage;
