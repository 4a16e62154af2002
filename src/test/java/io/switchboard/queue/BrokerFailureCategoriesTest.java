package io.switchboard.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.switchboard.reliability.ErrorCategory;
import io.switchboard.reliability.Failure;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;

/**
 * What the real RabbitMQ says lands in the category an operator expects: a refused login is
 * credentials, an operation the user has no right to is permission, a broker that is not there
 * is transient. Through the Java client and through Spring AMQP (what the platform uses).
 */
class BrokerFailureCategoriesTest {

    private static TestBroker broker;

    @BeforeAll
    static void ownVhost() {
        broker = new TestBroker("sb-test-broker-failures-" + UUID.randomUUID().toString().substring(0, 8));
    }

    @AfterAll
    static void deleteVhost() {
        broker.close();
    }

    @Test
    void aRefusedLoginIsCredentials() {
        Throwable client = catchThrowable(() -> connect("guest", "not-the-password").close());
        assertThat(Failure.of(client).category()).isEqualTo(ErrorCategory.CREDENTIALS);

        CachingConnectionFactory factory = new CachingConnectionFactory("127.0.0.1", 5672);
        factory.setVirtualHost(broker.vhost);
        factory.setUsername("guest");
        factory.setPassword("not-the-password");
        try {
            Throwable spring = catchThrowable(() -> new RabbitTemplate(factory).convertAndSend("", "orders", "x"));
            assertThat(Failure.of(spring).category()).isEqualTo(ErrorCategory.CREDENTIALS);
        } finally {
            factory.destroy();
        }
    }

    @Test
    void anOperationWithoutTheRightIsPermission() throws Exception {
        // guest may read and write here, but configure (declare) nothing.
        rabbitmqctl("set_permissions", "-p", broker.vhost, "guest", "^$", ".*", ".*");
        try (Connection connection = connect("guest", "guest")) {
            Channel channel = connection.createChannel(); // the broker closes it on the refusal
            Throwable refused = catchThrowable(() -> channel.queueDeclare("orders", true, false, false, null));
            Failure failure = Failure.of(refused);
            assertThat(failure.category()).isEqualTo(ErrorCategory.PERMISSION);
            assertThat(failure.message()).contains("ACCESS_REFUSED");
        } finally {
            rabbitmqctl("set_permissions", "-p", broker.vhost, "guest", ".*", ".*", ".*");
        }
    }

    @Test
    void aBrokerThatIsNotThereIsTransient() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        ConnectionFactory factory = new ConnectionFactory();
        factory.setPort(closed);
        factory.setConnectionTimeout(2_000);
        Throwable refused = catchThrowable(() -> factory.newConnection().close());
        assertThat(Failure.of(refused).category()).isEqualTo(ErrorCategory.TRANSIENT);
    }

    private static Connection connect(String user, String password) throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(broker.url());
        factory.setUsername(user);
        factory.setPassword(password);
        return factory.newConnection();
    }

    private static void rabbitmqctl(String... args) throws Exception {
        Process process = new ProcessBuilder(concat(args)).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0).as(output).isTrue();
    }

    private static List<String> concat(String... args) {
        return Stream.concat(Stream.of("rabbitmqctl"), Stream.of(args)).toList();
    }
}
