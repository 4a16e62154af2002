/** The queue trigger: messages from a broker (RabbitMQ, an MQTT 5 broker, NATS JetStream) stored in the inbox before they are acknowledged. */
package io.switchboard.queue;
