/** Triggers that read a real system (an outbox table, a mailbox, a folder): each item is stored as an event before the source is told it was taken. */
package io.switchboard.source;
