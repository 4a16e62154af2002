/**
 * What the capabilities need to know about the database they store into: which engine it is,
 * so a write can take the engine's one-statement form where it has one.
 */
package io.switchboard.storage;
