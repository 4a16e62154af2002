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
    QUEUE
}
