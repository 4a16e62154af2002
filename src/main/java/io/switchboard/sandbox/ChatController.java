package io.switchboard.sandbox;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The sandbox team chat under {@code /sandbox/chat}: a Slack-style incoming webhook
 * ({@code POST /sandbox/chat/messages/{token}} with {@code {"text": ...}}, answered
 * {@code ok}) and the channel's history.
 */
@SandboxEnabled
@RestController
class ChatController {

    private final JdbcTemplate jdbc;
    private final SandboxAccess access;
    private final SandboxProperties properties;
    private final ObjectMapper json;
    private final Clock clock;

    ChatController(JdbcTemplate jdbc, SandboxAccess access, SandboxProperties properties, ObjectMapper json,
            Clock clock) {
        this.jdbc = jdbc;
        this.access = access;
        this.properties = properties;
        this.json = json;
        this.clock = clock;
    }

    record ChatMessage(long id, String channel, String text, Instant receivedAt) {
    }

    @PostMapping("/sandbox/chat/messages/{token}")
    ResponseEntity<String> post(@PathVariable String token, @RequestBody Map<String, Object> payload)
            throws JsonProcessingException {
        access.chat(token);
        Object text = payload.get("text");
        if (text == null || text.toString().isBlank()) {
            throw SandboxError.badRequest("no_text", "The message needs a text");
        }
        Object channel = payload.get("channel");
        jdbc.update("insert into sandbox_chat_message (channel, message_text, payload, received_at) values (?, ?, ?, ?)",
                channel == null ? properties.chat().channel() : channel.toString(), text.toString(),
                json.writeValueAsString(payload), Timestamp.from(Instant.now(clock).truncatedTo(ChronoUnit.MILLIS)));
        return ResponseEntity.ok().contentType(MediaType.TEXT_PLAIN).body("ok");
    }

    /** The history seen by the holder of the webhook's token. */
    @GetMapping("/sandbox/chat/messages/{token}")
    List<ChatMessage> history(@PathVariable String token) {
        if (!SandboxAccess.isAdmin()) {
            access.chat(token);
        }
        return all();
    }

    /** The history, for the server's admin. */
    @GetMapping("/sandbox/chat/messages")
    List<ChatMessage> historyForAdmin() {
        SandboxAccess.requireAdmin();
        return all();
    }

    private List<ChatMessage> all() {
        return jdbc.query("select id, channel, message_text, received_at from sandbox_chat_message "
                + "order by id desc limit 500", ChatController::message);
    }

    private static ChatMessage message(ResultSet rs, int row) throws SQLException {
        return new ChatMessage(rs.getLong(1), rs.getString(2), rs.getString(3), CrmController.instant(rs, 4));
    }
}
