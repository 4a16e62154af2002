package io.switchboard.alerting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.mail.javamail.JavaMailSenderImpl;
import org.springframework.mock.env.MockEnvironment;

/** Alert e-mail through an SMTP relay: a real SMTP server (GreenMail) on a free port, with a login. */
class SmtpAlertMailTest {

    private GreenMail smtp;

    @BeforeEach
    void startSmtp() {
        smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        smtp.setUser("alerts@switchboard.example", "relay-user", "relay-password");
    }

    @AfterEach
    void stopSmtp() {
        smtp.stop();
    }

    @Test
    void anAlertIsMailedThroughTheRelayToEveryRecipientWithItsSubjectAndDetail() throws Exception {
        sink("relay-password").raised(alert("Dead letter parked for lead-intake", "Route lead-intake failed."));

        assertThat(smtp.waitForIncomingEmail(5000, 2)).isTrue();
        MimeMessage[] received = smtp.getReceivedMessages();
        assertThat(received).hasSize(2);
        assertThat(received[0].getSubject()).isEqualTo("[Switchboard] Dead letter parked for lead-intake");
        assertThat(received[0].getFrom()[0].toString()).isEqualTo("alerts@switchboard.example");
        assertThat(GreenMailUtil.getBody(received[0])).contains("Route lead-intake failed.");
        assertThat(List.of(received[0].getAllRecipients()).stream().map(Object::toString))
                .containsExactlyInAnyOrder("oncall@switchboard.example", "ops@switchboard.example");
    }

    @Test
    void aRefusedLoginIsAFailureOfTheChannelThatNamesNoPassword() {
        EmailAlertSink sink = sink("wrong-password");
        assertThatThrownBy(() -> sink.raised(alert("x", "y")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("SMTP relay refused")
                .hasMessageNotContaining("wrong-password");
        assertThat(smtp.getReceivedMessages()).isEmpty();
    }

    private EmailAlertSink sink(String password) {
        JavaMailSenderImpl relay = new JavaMailSenderImpl();
        relay.setHost("127.0.0.1");
        relay.setPort(smtp.getSmtp().getPort());
        relay.setUsername("relay-user");
        relay.setPassword(password);
        relay.getJavaMailProperties().put("mail.smtp.auth", "true");
        AlertingProperties properties = new AlertingProperties(null, null, null, null, null,
                new AlertingProperties.Email(null, null, null, "oncall@switchboard.example, ops@switchboard.example",
                        "alerts@switchboard.example"));
        StaticListableBeanFactory beans = new StaticListableBeanFactory();
        beans.addBean("mailSender", relay);
        return new EmailAlertSink(properties, new AlertHttp(new MockEnvironment(), new ObjectMapper()),
                beans.getBeanProvider(JavaMailSender.class));
    }

    private static Alert alert(String title, String detail) {
        return new Alert("test:" + title, "lead-intake", title, detail, Instant.now(), Instant.now(), 1, null);
    }
}
