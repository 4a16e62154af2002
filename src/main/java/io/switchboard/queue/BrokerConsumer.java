package io.switchboard.queue;

/** One integration's consumer on one broker (AMQP, MQTT, NATS), started and stopped with the server. */
interface BrokerConsumer {

    void start();

    void stop();

    /** Connected and taking messages: false while paused after a failed store or while the broker is away. */
    boolean isConsuming();
}
