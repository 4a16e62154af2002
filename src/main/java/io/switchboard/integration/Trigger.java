package io.switchboard.integration;

/** What starts an integration. */
public enum Trigger {
    /** Event-driven: an HTTP webhook posted to {@code /webhooks/{integration}}. */
    WEBHOOK,
    /** Scheduled sync: a Quartz trigger polls a source. */
    SCHEDULE,
    /** Real-time request/reply under {@code /api/integrations/{integration}}. */
    API,
    /** An internal event emitted by another integration. */
    EVENT,
    /**
     * Messages from a broker queue (AMQP 0-9-1 / RabbitMQ), named by the card's {@code source}:
     * each is stored in the inbox before it is acknowledged.
     */
    QUEUE,
    /**
     * Rows of a business database's transactional outbox table, read with Camel JPA: a row is
     * marked or deleted only after its event is stored.
     */
    OUTBOX,
    /** Messages in an IMAP folder: a message is marked seen only after its event is stored. */
    MAILBOX,
    /** Files dropped in a folder: a file is moved to its done folder only after its event is stored. */
    FILE
}
