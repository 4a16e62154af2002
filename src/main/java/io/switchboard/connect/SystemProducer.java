package io.switchboard.connect;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.impl.Headers;
import io.switchboard.integration.RouteCalls;
import jakarta.mail.internet.MimeMessage;
import org.apache.camel.Exchange;
import org.apache.camel.InvalidPayloadException;
import org.apache.camel.support.DefaultProducer;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.springframework.amqp.core.MessageBuilder;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.mail.javamail.MimeMessageHelper;

/**
 * Calls a database, a mail server, a broker or a folder as its {@link SystemEndpoint} says,
 * through the connection's limits ({@link SystemConnection#call}). The body carries the data
 * (a JSON object: the statement's parameters, the mail's fields); the answer replaces it for a
 * query (the rows, as JSON) and is a header otherwise ({@code CamelSqlUpdateCount}).
 */
class SystemProducer extends DefaultProducer {

    /** The number of rows a statement changed, named as camel-sql names it. */
    static final String UPDATE_COUNT = "CamelSqlUpdateCount";

    private static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules();
    private static final Pattern CAMEL_SQL_PARAMETER = Pattern.compile(":#(\\w+)");
    private static final Pattern QUERY = Pattern.compile("^\\s*(select|with|values)\\b",
            Pattern.CASE_INSENSITIVE);

    private final SystemEndpoint endpoint;
    private final Map<String, Boolean> streamCaptures = new ConcurrentHashMap<>();

    SystemProducer(SystemEndpoint endpoint) {
        super(endpoint);
        this.endpoint = endpoint;
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        SystemConnection connection = endpoint.connection();
        // An earlier call's "already done" must not pass for this one's.
        exchange.getMessage().removeHeader(RouteCalls.IDEMPOTENT_REPLAYED);
        endpoint.clients().doubles().refuseRealSystemForTests(connection, exchange);
        switch (connection.settings().kind()) {
            case JDBC -> sql(exchange, connection);
            case MAIL -> mail(exchange, connection);
            case AMQP -> publish(exchange, connection);
            case FILE -> write(exchange, connection);
            case MQTT -> publishMqtt(exchange, connection);
            case NATS -> publishNats(exchange, connection);
            default -> throw new UnsupportedOperationException("connection:" + connection.name() + " is of kind "
                    + connection.settings().kind().label() + ", which a route cannot call yet; it can be a trigger's "
                    + "source");
        }
    }

    private void sql(Exchange exchange, SystemConnection connection) throws Exception {
        String statement = endpoint.getSql();
        if (statement == null || statement.isBlank()) {
            throw new IllegalArgumentException("connection:" + connection.name() + " needs the statement to run: "
                    + "add sql: \"insert into ... values (:#field, ...)\" to its parameters");
        }
        String named = CAMEL_SQL_PARAMETER.matcher(statement).replaceAll(":$1");
        Map<String, Object> parameters = fields(exchange);
        SystemDouble standIn = endpoint.clients().doubles().forCall(connection.name(), exchange);
        NamedParameterJdbcTemplate jdbc = standIn != null ? new NamedParameterJdbcTemplate(standIn.dataSource())
                : endpoint.clients().jdbc(connection.name());
        if (QUERY.matcher(statement).find()) {
            List<Map<String, Object>> rows = call(connection, standIn, exchange, "query",
                    () -> jdbc.queryForList(named, parameters));
            exchange.getMessage().setHeader("CamelSqlRowCount", rows.size());
            exchange.getMessage().setBody(JSON.writeValueAsString(rows));
        } else {
            int changed = call(connection, standIn, exchange, "statement", () -> jdbc.update(named, parameters));
            exchange.getMessage().setHeader(UPDATE_COUNT, changed);
        }
    }

    private void mail(Exchange exchange, SystemConnection connection) throws Exception {
        Map<String, Object> fields = fields(exchange);
        String to = text(fields.get("to"), endpoint.getTo());
        String subject = text(fields.get("subject"), endpoint.getSubject());
        String from = text(fields.get("from"), endpoint.getFrom() != null ? endpoint.getFrom()
                : connection.settings().username());
        String plain = text(fields.get("text"), null);
        String html = text(fields.get("html"), null);
        if (to == null || subject == null || (plain == null && html == null)) {
            throw new InvalidPayloadException(exchange, Map.class, exchange.getMessage(), new IllegalArgumentException(
                    "a mail through connection:" + connection.name() + " needs to, subject and text (or html): "
                            + "map them in the body, e.g. jq '{to: .email, subject: \"...\", text: \"...\"}'"));
        }
        SystemDouble standIn = endpoint.clients().doubles().forCall(connection.name(), exchange);
        JavaMailSender sender = standIn != null ? standIn.mailSender() : endpoint.clients().mailSender(connection.name());
        call(connection, standIn, exchange, "send to " + to.split(",").length + " recipient(s)", () -> {
            MimeMessage message = sender.createMimeMessage();
            MimeMessageHelper helper = new MimeMessageHelper(message, plain != null && html != null,
                    StandardCharsets.UTF_8.name());
            helper.setTo(to.split("\\s*,\\s*"));
            String cc = text(fields.get("cc"), null);
            if (cc != null) {
                helper.setCc(cc.split("\\s*,\\s*"));
            }
            if (from != null) {
                helper.setFrom(from);
            }
            helper.setSubject(subject);
            if (plain != null && html != null) {
                helper.setText(plain, html);
            } else if (html != null) {
                helper.setText(html, true);
            } else {
                helper.setText(plain, false);
            }
            String event = exchange.getMessage().getHeader("SwitchboardEventId", String.class);
            if (event != null) {
                // Lets the receiving side (and a person) tell a resend of the same event's mail.
                message.setHeader("X-Switchboard-Event", event);
            }
            sender.send(message);
            return null;
        });
    }

    private void publish(Exchange exchange, SystemConnection connection) throws Exception {
        String routingKey = endpoint.getRoutingKey();
        if (routingKey == null) {
            throw new IllegalArgumentException("connection:" + connection.name() + " needs routingKey: (with the "
                    + "default exchange, the queue's name)");
        }
        byte[] body = exchange.getMessage().getBody(byte[].class);
        MessageProperties properties = new MessageProperties();
        properties.setContentType(exchange.getMessage().getHeader(Exchange.CONTENT_TYPE, "application/json",
                String.class));
        properties.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        String messageId = exchange.getMessage().getHeader("MessageId", String.class);
        if (messageId != null) {
            properties.setMessageId(messageId);
        }
        var message = MessageBuilder.withBody(body == null ? new byte[0] : body).andProperties(properties).build();
        SystemDouble standIn = endpoint.clients().doubles().forCall(connection.name(), exchange);
        RabbitTemplate publisher = standIn != null ? endpoint.clients().publisher(connection.name(), standIn.broker())
                : endpoint.clients().publisher(connection.name());
        long timeout = connection.settings().readTimeout().toMillis();
        call(connection, standIn, exchange, "publish to " + routingKey, () -> publisher.invoke(operations -> {
            operations.send(endpoint.getExchange() == null ? "" : endpoint.getExchange(), routingKey, message);
            operations.waitForConfirmsOrDie(timeout);
            return null;
        }));
    }

    private void publishMqtt(Exchange exchange, SystemConnection connection) throws Exception {
        SystemDouble standIn = endpoint.clients().doubles().forCall(connection.name(), exchange);
        String topic = standIn == null ? topic(connection) : standIn.topics().prefix() + "/" + topic(connection);
        MqttMessage message = new MqttMessage(bodyBytes(exchange));
        message.setQos(1);
        String messageId = exchange.getMessage().getHeader("MessageId", String.class);
        if (messageId != null) {
            // The queue trigger's delivery id on the other side: a repeat is one event there.
            MqttProperties properties = new MqttProperties();
            properties.setUserProperties(List.of(new UserProperty("message-id", messageId)));
            message.setProperties(properties);
        }
        call(connection, standIn, exchange, "publish to " + topic, () -> {
            MqttClient client = standIn == null ? endpoint.clients().mqtt(connection.name())
                    : endpoint.clients().mqtt(connection.name(), standIn.topics());
            client.publish(topic, message);
            return null;
        });
    }

    private void publishNats(Exchange exchange, SystemConnection connection) throws Exception {
        SystemDouble standIn = endpoint.clients().doubles().forCall(connection.name(), exchange);
        String subject = standIn == null ? topic(connection) : standIn.topics().prefix() + "." + topic(connection);
        byte[] body = bodyBytes(exchange);
        Headers headers = new Headers();
        String messageId = exchange.getMessage().getHeader("MessageId", String.class);
        if (messageId != null) {
            // JetStream drops a second message with the same id within the stream's duplicate window.
            headers.put("Nats-Msg-Id", messageId);
        }
        call(connection, standIn, exchange, "publish to " + subject, () -> {
            Connection nats = standIn == null ? endpoint.clients().nats(connection.name())
                    : endpoint.clients().nats(connection.name(), standIn.topics());
            if (standIn == null && capturedByAStream(nats, subject)) {
                // The stream's ack: the message is stored before the call returns.
                nats.jetStream().publish(subject, headers, body);
            } else {
                // No stream captures the subject (a double's prefix is no stream's): a core
                // publish, flushed to the server.
                nats.publish(subject, headers, body);
                nats.flush(connection.settings().readTimeout());
            }
            return null;
        });
    }

    /** Asked once per subject (streams are set up by operators, not per message). */
    private boolean capturedByAStream(Connection nats, String subject) throws IOException, JetStreamApiException {
        Boolean captured = streamCaptures.get(subject);
        if (captured == null) {
            captured = !nats.jetStreamManagement().getStreamNames(subject).isEmpty();
            streamCaptures.put(subject, captured);
        }
        return captured;
    }

    private String topic(SystemConnection connection) {
        String topic = endpoint.getTopic();
        if (topic == null || topic.isBlank()) {
            throw new IllegalArgumentException("connection:" + connection.name() + " needs topic: (an MQTT topic or a "
                    + "NATS subject)");
        }
        return topic;
    }

    private static byte[] bodyBytes(Exchange exchange) {
        byte[] body = exchange.getMessage().getBody(byte[].class);
        return body == null ? new byte[0] : body;
    }

    private void write(Exchange exchange, SystemConnection connection) throws Exception {
        String name = endpoint.getFileName();
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("connection:" + connection.name() + " needs fileName:");
        }
        SystemDouble standIn = endpoint.clients().doubles().forCall(connection.name(), exchange);
        Path folder = (standIn != null ? standIn.folder() : Path.of(connection.settings().path())).toAbsolutePath()
                .normalize();
        Path target = folder.resolve(name).normalize();
        if (!target.startsWith(folder) || target.equals(folder)) {
            throw new IllegalArgumentException("connection:" + connection.name() + " refuses the file name '" + name
                    + "': it must stay inside the connection's folder");
        }
        byte[] body = exchange.getMessage().getBody(byte[].class);
        call(connection, standIn, exchange, "write " + name, () -> {
            Files.createDirectories(target.getParent());
            // Written aside, then moved into place: a reader never sees half a file.
            Path partial = Files.createTempFile(target.getParent(), ".writing-", ".part");
            try {
                Files.write(partial, body == null ? new byte[0] : body);
                Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException failed) {
                Files.deleteIfExists(partial);
                throw failed;
            }
            return null;
        });
        exchange.getMessage().setHeader(Exchange.FILE_NAME_PRODUCED, target.toString());
    }

    /** A call to the system, or to its test double when one stands in for it. */
    private <T> T call(SystemConnection connection, SystemDouble standIn, Exchange exchange, String operation,
            Callable<T> action) throws Exception {
        if (standIn == null) {
            return connection.call(exchange, operation, action);
        }
        // The call counts for the drill's rate check when it starts, after the connection's limiter
        // let it through: before it, calls queued behind the limiter would look like a burst.
        return connection.callDouble(exchange, operation, () -> {
            endpoint.clients().doubles().started(connection.name());
            return action.call();
        });
    }

    /** The body's fields: a JSON object (as text or bytes) or a map. */
    private static Map<String, Object> fields(Exchange exchange) throws InvalidPayloadException {
        Object body = exchange.getMessage().getBody();
        if (body == null) {
            return Map.of();
        }
        if (body instanceof Map<?, ?> map) {
            Map<String, Object> fields = new LinkedHashMap<>();
            map.forEach((key, value) -> fields.put(String.valueOf(key), flat(value)));
            return fields;
        }
        String text = exchange.getMessage().getBody(String.class);
        try {
            Map<String, Object> parsed = JSON.readValue(text, new TypeReference<LinkedHashMap<String, Object>>() { });
            parsed.replaceAll((key, value) -> flat(value));
            return parsed;
        } catch (IOException notAnObject) {
            throw new InvalidPayloadException(exchange, Map.class, exchange.getMessage(), notAnObject);
        }
    }

    /** Nested objects and arrays go to the system as JSON text (e.g. a jsonb column). */
    private static Object flat(Object value) {
        if (value instanceof Map<?, ?> || value instanceof List<?>) {
            try {
                return JSON.writeValueAsString(value);
            } catch (IOException unlikely) {
                return String.valueOf(value);
            }
        }
        return value;
    }

    private static String text(Object value, String fallback) {
        return value == null || String.valueOf(value).isBlank() ? fallback : String.valueOf(value);
    }
}
