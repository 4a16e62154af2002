/** The queue trigger: messages from a broker (RabbitMQ) stored in the inbox before they are acknowledged. */
package io.switchboard.queue;
