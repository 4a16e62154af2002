package io.switchboard.reliability;

import java.lang.reflect.Method;
import java.util.Set;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.PossibleAuthenticationFailureException;
import com.rabbitmq.client.ShutdownSignalException;
import org.springframework.amqp.AmqpAuthenticationException;

/**
 * What a message broker's refusal means for the event. RabbitMQ (AMQP 0-9-1): a refused login
 * is a secret to renew, {@code 403 ACCESS_REFUSED} or {@code 530 NOT_ALLOWED} (no access to the
 * vhost) a missing right, {@code 320 CONNECTION_FORCED} a restart that passes, {@code 404} and
 * {@code 406} a route naming what does not exist. MQTT (Paho) and NATS are read by class name
 * and reason code, so the platform needs neither library to classify them. An unreachable
 * broker is an {@code IOException} (connection refused), transient like any other.
 */
final class BrokerFailures {

    /** MQTT 5 reason codes (0x86 bad user name or password, 0x8C bad authentication method; 0x87 not authorized). */
    private static final Set<Integer> MQTT5_CREDENTIALS = Set.of(0x86, 0x8C);
    private static final int MQTT5_NOT_AUTHORIZED = 0x87;
    /** MQTT 5 server unavailable, busy, quota exceeded; Paho's own timeout, connect error, lost connection. */
    private static final Set<Integer> MQTT_TRANSIENT = Set.of(0x88, 0x89, 0x97, 32000, 32103, 32104, 32109);
    /** MQTT 3.1.1 connect refusals: 4 bad user name or password, 5 not authorized. */
    private static final Set<Integer> MQTT3_CREDENTIALS = Set.of(4, 5);

    private BrokerFailures() {
    }

    /** The category of one exception in a failure's chain, or null when it is no broker's refusal we know. */
    static ErrorCategory of(Throwable cause) {
        if (cause instanceof PossibleAuthenticationFailureException || cause instanceof AmqpAuthenticationException) {
            return ErrorCategory.CREDENTIALS;
        }
        if (cause instanceof ShutdownSignalException shutdown) {
            return amqpClose(shutdown);
        }
        String type = cause.getClass().getName();
        if (type.startsWith("org.eclipse.paho.mqttv5.")) {
            return mqtt5(reasonCode(cause));
        }
        if (type.startsWith("org.eclipse.paho.client.mqttv3.")) {
            int code = reasonCode(cause);
            return MQTT3_CREDENTIALS.contains(code) ? ErrorCategory.CREDENTIALS
                    : MQTT_TRANSIENT.contains(code) ? ErrorCategory.TRANSIENT : null;
        }
        if (type.startsWith("io.nats.client.")) {
            return nats(cause);
        }
        return null;
    }

    private static ErrorCategory amqpClose(ShutdownSignalException shutdown) {
        int code;
        if (shutdown.getReason() instanceof AMQP.Channel.Close close) {
            code = close.getReplyCode();
        } else if (shutdown.getReason() instanceof AMQP.Connection.Close close) {
            code = close.getReplyCode();
        } else {
            return null;
        }
        return switch (code) {
            case AMQP.ACCESS_REFUSED, AMQP.NOT_ALLOWED -> ErrorCategory.PERMISSION;
            case AMQP.CONNECTION_FORCED, AMQP.RESOURCE_LOCKED, AMQP.RESOURCE_ERROR -> ErrorCategory.TRANSIENT;
            case AMQP.NOT_FOUND, AMQP.PRECONDITION_FAILED -> ErrorCategory.BUG;
            default -> null;
        };
    }

    private static ErrorCategory mqtt5(int code) {
        if (MQTT5_CREDENTIALS.contains(code)) {
            return ErrorCategory.CREDENTIALS;
        }
        if (code == MQTT5_NOT_AUTHORIZED) {
            return ErrorCategory.PERMISSION;
        }
        return MQTT_TRANSIENT.contains(code) ? ErrorCategory.TRANSIENT : null;
    }

    private static ErrorCategory nats(Throwable cause) {
        String message = String.valueOf(cause.getMessage());
        if (cause.getClass().getSimpleName().equals("AuthenticationException")
                || message.contains("Authorization Violation")) {
            return ErrorCategory.CREDENTIALS;
        }
        return message.contains("Permissions Violation") ? ErrorCategory.PERMISSION : null;
    }

    /** Paho's {@code getReasonCode()}, read by reflection: Paho is not one of the platform's dependencies. */
    private static int reasonCode(Throwable cause) {
        try {
            Method reason = cause.getClass().getMethod("getReasonCode");
            return ((Number) reason.invoke(cause)).intValue();
        } catch (ReflectiveOperationException | ClassCastException notPaho) {
            return -1;
        }
    }
}
