package io.switchboard.sandbox;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The sandbox mail service under {@code /sandbox/mail}: send a message (into the outbox) and read the outbox. */
@SandboxEnabled
@RestController
class MailController {

    private final JdbcTemplate jdbc;
    private final SandboxAccess access;
    private final Clock clock;

    MailController(JdbcTemplate jdbc, SandboxAccess access, Clock clock) {
        this.jdbc = jdbc;
        this.access = access;
        this.clock = clock;
    }

    record Message(String id, String from, String to, String subject, String text, Instant sentAt) {
    }

    @PostMapping("/sandbox/mail/messages")
    ResponseEntity<Message> send(@RequestBody Message input, HttpServletRequest request,
            @RequestHeader(name = "Idempotency-Key", required = false)
            String idempotencyKey) {
        access.mail(request);
        if (input.to() == null || !input.to().trim().matches("[^@\\s]+@[^@\\s]+\\.[^@\\s]+")) {
            throw SandboxError.badRequest("invalid_recipient", "to is missing or not an e-mail address");
        }
        if (idempotencyKey != null) {
            List<Message> earlier = jdbc.query("select id, sender, recipient, subject, body, sent_at from "
                    + "sandbox_mail_message where idempotency_key = ?", MailController::message, idempotencyKey);
            if (!earlier.isEmpty()) {
                return ResponseEntity.ok().header("Idempotent-Replayed", "true").body(earlier.get(0));
            }
        }
        String id = CrmController.id("m");
        try {
            jdbc.update("insert into sandbox_mail_message (id, sender, recipient, subject, body, sent_at, idempotency_key) "
                            + "values (?, ?, ?, ?, ?, ?, ?)",
                    id, input.from(), input.to().trim(), input.subject(), input.text(),
                    Timestamp.from(Instant.now(clock).truncatedTo(ChronoUnit.MILLIS)), idempotencyKey);
        } catch (DuplicateKeyException sameKeyAtOnce) {
            return ResponseEntity.ok().header("Idempotent-Replayed", "true").body(jdbc.queryForObject(
                    "select id, sender, recipient, subject, body, sent_at from "
                    + "sandbox_mail_message where idempotency_key = ?", MailController::message, idempotencyKey));
        }
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(jdbc.queryForObject("select id, sender, recipient, "
                + "subject, body, sent_at from sandbox_mail_message where id = ?", MailController::message, id));
    }

    /** The outbox, newest first; {@code ?to=} filters by recipient. */
    @GetMapping("/sandbox/mail/messages")
    List<Message> outbox(@RequestParam(required = false) String to, HttpServletRequest request) {
        access.mail(request);
        Where where = new Where().and("recipient", to);
        return jdbc.query("select id, sender, recipient, subject, body, sent_at from sandbox_mail_message" + where
                + " order by sent_at desc, id limit 500", MailController::message, where.args());
    }

    private static Message message(ResultSet rs, int row) throws SQLException {
        return new Message(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                CrmController.instant(rs, 6));
    }
}
