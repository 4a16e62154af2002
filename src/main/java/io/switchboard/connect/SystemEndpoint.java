package io.switchboard.connect;

import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultEndpoint;

/**
 * A call to a connection that is not HTTP, e.g. {@code connection:shop-db} with
 * {@code sql: insert into orders (id, total) values (:#id, :#total)}. The options depend on the
 * connection's kind:
 * <ul>
 * <li>{@code jdbc}: {@code sql}, a statement whose {@code :#name} (or {@code :name}) parameters
 * come from the body's fields (a JSON object);</li>
 * <li>{@code mail} (SMTP): {@code to}, {@code subject}, {@code from} as defaults for the body's
 * {@code to}, {@code cc}, {@code subject}, {@code text} and {@code html} fields;</li>
 * <li>{@code amqp}: {@code exchange} (default: the broker's default exchange) and
 * {@code routingKey}; the body is published as JSON, persistent, confirmed by the broker;</li>
 * <li>{@code mqtt}: {@code topic}, published at QoS 1 (the broker's PUBACK before the call returns);</li>
 * <li>{@code nats}: {@code topic}, the subject: acknowledged by JetStream when a stream captures
 * it, else a core publish flushed to the server;</li>
 * <li>{@code file}: {@code fileName}, written under the connection's folder, atomically.</li>
 * </ul>
 * Nothing else of the exchange (no header) reaches the system.
 */
public class SystemEndpoint extends DefaultEndpoint {

    private final SystemConnection connection;
    private final SystemClients clients;
    private String sql;
    private String to;
    private String subject;
    private String from;
    private String exchange;
    private String routingKey;
    private String fileName;
    private String topic;

    SystemEndpoint(String uri, ConnectionComponent component, SystemConnection connection, SystemClients clients) {
        super(uri, component);
        this.connection = connection;
        this.clients = clients;
    }

    @Override
    public Producer createProducer() {
        return new SystemProducer(this);
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("connection:" + connection.name() + " only calls a system; a route "
                + "reads from it through its integration's trigger (queue, outbox, mailbox or file)");
    }

    SystemConnection connection() {
        return connection;
    }

    SystemClients clients() {
        return clients;
    }

    /** jdbc: the statement, parameters as {@code :#name}. */
    public String getSql() {
        return sql;
    }

    public void setSql(String sql) {
        this.sql = sql;
    }

    /** mail: the recipients when the body names none (comma-separated). */
    public String getTo() {
        return to;
    }

    public void setTo(String to) {
        this.to = to;
    }

    /** mail: the subject when the body names none. */
    public String getSubject() {
        return subject;
    }

    public void setSubject(String subject) {
        this.subject = subject;
    }

    /** mail: the sender when the body names none (default: the connection's user). */
    public String getFrom() {
        return from;
    }

    public void setFrom(String from) {
        this.from = from;
    }

    /** amqp: the exchange to publish to (default: the default exchange, routing by queue name). */
    public String getExchange() {
        return exchange;
    }

    public void setExchange(String exchange) {
        this.exchange = exchange;
    }

    /** amqp: the routing key (with the default exchange: the queue). */
    public String getRoutingKey() {
        return routingKey;
    }

    public void setRoutingKey(String routingKey) {
        this.routingKey = routingKey;
    }

    /** mqtt: the topic to publish to; nats: the subject. */
    public String getTopic() {
        return topic;
    }

    public void setTopic(String topic) {
        this.topic = topic;
    }

    /** file: the file's name under the connection's folder (sub-folders allowed, never {@code ..}). */
    public String getFileName() {
        return fileName;
    }

    public void setFileName(String fileName) {
        this.fileName = fileName;
    }
}
