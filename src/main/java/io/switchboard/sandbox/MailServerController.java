package io.switchboard.sandbox;

import java.util.List;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The sandbox mail server's API under {@code /sandbox/mail-server}: send a message over SMTP (to
 * the demo mailbox unless {@code to} says otherwise), and list what the server received, over
 * SMTP from anyone (the integrations included). Operators only.
 */
@SandboxEnabled
@RestController
class MailServerController {

    private final ObjectProvider<SandboxMailServer> server;

    MailServerController(ObjectProvider<SandboxMailServer> server) {
        this.server = server;
    }

    /** A message to send; {@code from} defaults to a customer, {@code to} to the demo mailbox. */
    record Outgoing(String from, String to, String subject, String text) {
    }

    /** What was sent. */
    record Sent(String messageId, String from, String to, String subject, String via) {
    }

    @PostMapping("/sandbox/mail-server/messages")
    ResponseEntity<Sent> send(@RequestBody Outgoing message) throws Exception {
        SandboxAccess.requireOperator();
        SandboxMailServer running = StandInsOff.require(server, "mail-server");
        String from = blank(message.from()) ? "customer@example.com" : message.from().trim();
        String to = blank(message.to()) ? running.address() : message.to().trim();
        if (!to.matches("[^@\\s]+@[^@\\s]+\\.[^@\\s]+") || !from.matches("[^@\\s]+@[^@\\s]+\\.[^@\\s]+")) {
            throw SandboxError.badRequest("invalid_address", "from and to must be e-mail addresses");
        }
        String subject = blank(message.subject()) ? "(no subject)" : message.subject();
        String id = running.send(from, to, subject, message.text());
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(new Sent(id, from, to, subject, running.smtpUrl()));
    }

    /** Every message received, newest first. */
    @GetMapping("/sandbox/mail-server/messages")
    List<SandboxMailServer.Received> received() throws Exception {
        SandboxAccess.requireOperator();
        return StandInsOff.require(server, "mail-server").received();
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
