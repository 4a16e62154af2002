package io.switchboard.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.net.ConnectException;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AuthenticationFailureException;
import com.rabbitmq.client.ShutdownSignalException;
import jakarta.mail.SendFailedException;
import jakarta.mail.internet.InternetAddress;
import net.thisptr.jackson.jq.exception.JsonQueryException;
import org.apache.camel.InvalidPayloadException;
import org.apache.camel.RuntimeCamelException;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.amqp.AmqpAuthenticationException;
import org.springframework.amqp.AmqpConnectException;
import org.springframework.amqp.AmqpIOException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.jdbc.UncategorizedSQLException;
import org.springframework.jdbc.support.SQLErrorCodeSQLExceptionTranslator;
import org.springframework.jdbc.support.SQLExceptionTranslator;
import org.springframework.jdbc.support.SQLStateSQLExceptionTranslator;
import org.springframework.mail.MailSendException;
import org.springframework.mail.javamail.JavaMailSenderImpl;

/**
 * Failures classified by what the system said, kind by kind, from the exceptions the drivers
 * and Spring really throw: a mail server's reply, a SQLSTATE behind Spring's translation, a
 * broker's refusal, a payload that does not parse. HTTP keeps its rules ({@link FailureTest}).
 */
class FailureKindsTest {

    @ParameterizedTest(name = "SMTP {0} {1}: {2}")
    @CsvSource({
            "451, 4.7.1 Greylisted: try again later, TRANSIENT",
            "421, 4.3.2 Service shutting down, TRANSIENT",
            "452, 4.2.2 Mailbox full for now, TRANSIENT",
            "550, 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown, INVALID_DATA",
            "553, 5.1.3 Bad recipient address syntax, INVALID_DATA",
            "554, 5.7.1 <ops@elsewhere.example>: Relay access denied, PERMISSION",
            "550, Relaying denied, PERMISSION",
            "530, 5.7.0 Authentication required, CREDENTIALS",
            "535, 5.7.8 Authentication credentials invalid, CREDENTIALS"})
    void aMailServersReplyCodeSaysWhatFailed(int code, String text, ErrorCategory expected) throws Exception {
        var refused = new SMTPAddressFailedException(new InternetAddress("nobody@example.com"), "RCPT TO:<nobody@example.com>",
                code, code + " " + text);
        // Transport.send throws "Invalid Addresses" with the server's reply chained under it.
        var thrown = new SendFailedException("Invalid Addresses", refused);
        Failure failure = Failure.of(new RuntimeCamelException(thrown));
        assertThat(failure.category()).isEqualTo(expected);
        assertThat(failure.message()).contains(String.valueOf(code));
    }

    @Test
    void aGreylistedMessageIsRetriedAndAnUnknownMailboxIsNot() {
        var greylisted = new SMTPSendFailedException("DATA", 451, "451 4.7.1 Greylisted", null, null, null, null);
        assertThat(Failure.of(greylisted).retryable()).isTrue();
        var unknown = new SMTPSendFailedException("DATA", 550, "550 5.1.1 User unknown", null, null, null, null);
        assertThat(Failure.of(unknown).retryable()).isFalse();
    }

    @Test
    void springsMailSendExceptionIsReadThroughItsFailedMessages() throws Exception {
        Map<Object, Exception> failed = new LinkedHashMap<>();
        failed.put("message", new SMTPAddressFailedException(new InternetAddress("a@example.com"), "RCPT", 451,
                "451 4.7.1 Greylisted"));
        Failure failure = Failure.of(new MailSendException(failed));
        assertThat(failure.category()).isEqualTo(ErrorCategory.TRANSIENT);
        assertThat(failure.message()).contains("451 4.7.1 Greylisted");
    }

    @Test
    void realRepliesFromAMailServerLandInTheirCategories() throws Exception {
        try (ScriptedSmtpServer smtp = new ScriptedSmtpServer()) {
            smtp.answer("RCPT", "451 4.7.1 Greylisted, try again later");
            assertThat(categoryOfSending(smtp, null)).isEqualTo(ErrorCategory.TRANSIENT);
            smtp.answer("RCPT", "550 5.1.1 <nobody@example.com>: Recipient address rejected");
            assertThat(categoryOfSending(smtp, null)).isEqualTo(ErrorCategory.INVALID_DATA);
            smtp.answer("RCPT", "554 5.7.1 <ops@elsewhere.example>: Relay access denied");
            assertThat(categoryOfSending(smtp, null)).isEqualTo(ErrorCategory.PERMISSION);
            smtp.answer("MAIL", "530 5.7.0 Authentication required");
            assertThat(categoryOfSending(smtp, null)).isEqualTo(ErrorCategory.CREDENTIALS);
            smtp.answer("AUTH", "535 5.7.8 Authentication credentials invalid");
            assertThat(categoryOfSending(smtp, "shop")).isEqualTo(ErrorCategory.CREDENTIALS);
            smtp.answer("DATA", "451 4.3.0 Queue full, try later");
            assertThat(categoryOfSending(smtp, null)).isEqualTo(ErrorCategory.TRANSIENT);
            assertThat(smtp.delivered()).isZero();
        }
        JavaMailSenderImpl sender;
        try (ScriptedSmtpServer template = new ScriptedSmtpServer()) {
            sender = template.sender(null, null);
        }
        // Port 9 (discard), where nothing listens: the closed server's port could be taken again
        // at once by another test's server running in parallel, and then the mail would go out.
        sender.setPort(9);
        Throwable refused = catchThrowable(() -> sender.send(ScriptedSmtpServer.message("a@example.com")));
        assertThat(refused).as("sending to a port where nothing listens").isNotNull();
        assertThat(Failure.of(refused).category()).as("connection refused").isEqualTo(ErrorCategory.TRANSIENT);
    }

    @ParameterizedTest(name = "SQLSTATE {0}: {1}")
    @CsvSource({
            "08006, TRANSIENT", "08001, TRANSIENT", "40001, TRANSIENT", "40P01, TRANSIENT", "57P01, TRANSIENT",
            "57014, TRANSIENT", "53300, TRANSIENT", "55P03, TRANSIENT",
            "23514, INVALID_DATA", "23505, INVALID_DATA", "23502, INVALID_DATA", "22001, INVALID_DATA",
            "22P02, INVALID_DATA", "28P01, CREDENTIALS", "28000, CREDENTIALS", "42501, PERMISSION",
            "42P01, BUG", "42601, BUG"})
    void aSqlStateBehindSpringsTranslationSaysWhatFailed(String state, ErrorCategory expected) {
        SQLException sql = new SQLException("ERROR: the database said " + state, state);
        for (SQLExceptionTranslator translator : new SQLExceptionTranslator[] {new SQLStateSQLExceptionTranslator(),
                new SQLErrorCodeSQLExceptionTranslator("PostgreSQL")}) {
            Exception translated = translator.translate("insert order", "insert into orders values (?)", sql);
            if (translated == null) {
                translated = new UncategorizedSQLException("insert order", "insert into orders values (?)", sql);
            }
            assertThat(Failure.of(new RuntimeCamelException(translated)).category())
                    .as(translator.getClass().getSimpleName() + " made " + translated.getClass().getSimpleName())
                    .isEqualTo(expected);
        }
    }

    @Test
    void aRefusedLoginWhileConnectingIsCredentialsNotAnOutage() {
        var failure = new CannotGetJdbcConnectionException("Failed to obtain JDBC Connection",
                new SQLException("FATAL: password authentication failed for user \"shop\"", "28P01"));
        assertThat(Failure.of(failure).category()).isEqualTo(ErrorCategory.CREDENTIALS);
    }

    @Test
    void mariaDbsAccessDeniedToATableIsPermission() {
        var denied = new SQLException("INSERT command denied to user 'shop'@'localhost' for table 'orders'", "42000", 1142);
        assertThat(Failure.of(denied).category()).isEqualTo(ErrorCategory.PERMISSION);
        var syntax = new SQLException("You have an error in your SQL syntax", "42000", 1064);
        assertThat(Failure.of(syntax).category()).isEqualTo(ErrorCategory.BUG);
    }

    @Test
    void twoWorkersRacingForTheSameIdempotencyKeyStayTransient() {
        SQLException race = new SQLException("duplicate key value violates unique constraint on camel_messageprocessed",
                "23505");
        Exception translated = new SQLStateSQLExceptionTranslator().translate("add", "insert into camel_messageprocessed",
                race);
        assertThat(Failure.of(translated).category()).isEqualTo(ErrorCategory.TRANSIENT);
    }

    @Test
    void aBrokerRefusingTheLoginIsCredentials() {
        var refused = new AuthenticationFailureException("ACCESS_REFUSED - Login was refused using authentication "
                + "mechanism PLAIN");
        assertThat(Failure.of(refused).category()).isEqualTo(ErrorCategory.CREDENTIALS);
        assertThat(Failure.of(new AmqpAuthenticationException(refused)).category()).isEqualTo(ErrorCategory.CREDENTIALS);
    }

    @Test
    void aBrokerRefusingAnOperationIsPermissionAndAnUnreachableOneTransient() {
        AMQP.Channel.Close close = new AMQP.Channel.Close.Builder().replyCode(AMQP.ACCESS_REFUSED)
                .replyText("ACCESS_REFUSED - write access to exchange 'orders' in vhost 'shop' refused for user 'app'")
                .build();
        var shutdown = new ShutdownSignalException(false, false, close, null);
        // The client reports a channel closed by the broker as an IOException: not an outage here.
        var thrown = new AmqpIOException(new IOException(shutdown));
        assertThat(Failure.of(thrown).category()).isEqualTo(ErrorCategory.PERMISSION);
        var unreachable = new AmqpConnectException(new ConnectException("Connection refused"));
        assertThat(Failure.of(unreachable).category()).isEqualTo(ErrorCategory.TRANSIENT);
    }

    @Test
    void aPayloadThatDoesNotParseIsInvalidDataNeverRetried() {
        Throwable parse = catchThrowable(() -> new ObjectMapper().readTree("{\"orderId\": 42,"));
        assertThat(parse).isInstanceOf(IOException.class);
        Failure failure = Failure.of(new RuntimeCamelException(parse));
        assertThat(failure.category()).isEqualTo(ErrorCategory.INVALID_DATA);
        assertThat(failure.retryable()).isFalse();
        assertThat(Failure.of(new JsonQueryException("Cannot index string with \"orderId\"")).category())
                .isEqualTo(ErrorCategory.INVALID_DATA);
        var exchange = new DefaultExchange(new DefaultCamelContext());
        assertThat(Failure.of(new InvalidPayloadException(exchange, Map.class)).category())
                .isEqualTo(ErrorCategory.INVALID_DATA);
    }

    @Test
    void httpAndGenericOutagesKeepTheirCategories() {
        assertThat(Failure.of(new HttpOperationFailedException("http://crm/contacts", 503, "Unavailable", null,
                Map.of(), "")).category()).isEqualTo(ErrorCategory.TRANSIENT);
        assertThat(Failure.of(new RuntimeCamelException(new ConnectException("refused"))).category())
                .isEqualTo(ErrorCategory.TRANSIENT);
        assertThat(Failure.of(new IllegalStateException("a bug")).category()).isEqualTo(ErrorCategory.BUG);
    }

    @Test
    void mqttAndNatsRefusalsAreReadWithoutTheirLibrariesWhenPresent() throws Exception {
        Constructor<?> mqtt = Class.forName("org.eclipse.paho.mqttv5.common.MqttException").getConstructor(int.class);
        assertThat(Failure.of((Throwable) mqtt.newInstance(0x86)).category()).isEqualTo(ErrorCategory.CREDENTIALS);
        assertThat(Failure.of((Throwable) mqtt.newInstance(0x87)).category()).isEqualTo(ErrorCategory.PERMISSION);
        assertThat(Failure.of((Throwable) mqtt.newInstance(32103)).category()).isEqualTo(ErrorCategory.TRANSIENT);
        Constructor<?> nats = Class.forName("io.nats.client.AuthenticationException").getConstructor(String.class);
        assertThat(Failure.of((Throwable) nats.newInstance("Authorization Violation")).category())
                .isEqualTo(ErrorCategory.CREDENTIALS);
    }

    private static ErrorCategory categoryOfSending(ScriptedSmtpServer smtp, String user) {
        Throwable thrown = catchThrowable(() -> smtp.sender(user, user == null ? null : "wrong")
                .send(ScriptedSmtpServer.message("nobody@example.com")));
        assertThat(thrown).as("the send failed").isNotNull();
        return Failure.of(thrown).category();
    }
}
