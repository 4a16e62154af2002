package io.switchboard.sandbox;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * The sandbox team chat under {@code /sandbox/chat}: a Slack-style incoming webhook
 * ({@code POST /sandbox/chat/messages/{token}} with {@code {"text": ...}}, answered
 * {@code ok}), a Slack-style app API for a connected app ({@code POST
 * /sandbox/chat/api/chat.postMessage} with a bearer token of scope {@code chat:write}), and
 * the channel's history.
 */
@SandboxEnabled
@RestController
class ChatController {

    private final JdbcTemplate jdbc;
    private final SandboxAccess access;
    private final SandboxProperties properties;
    private final ObjectMapper json;
    private final Clock clock;
    private final SandboxTokens tokens;

    ChatController(JdbcTemplate jdbc, SandboxAccess access, SandboxProperties properties, ObjectMapper json,
            Clock clock, SandboxTokens tokens) {
        this.tokens = tokens;
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
        store(payload);
        return ResponseEntity.ok().contentType(MediaType.TEXT_PLAIN).body("ok");
    }

    /**
     * Slack's {@code chat.postMessage} for a connected app: {@code {"channel", "text"}} with the
     * app's access token. Slack answers a refused token or a missing scope with 200 and
     * {@code "ok": false}; the sandbox says the same in the body but with 401 and 403, so the
     * platform's failure categories (credentials, permission) apply to it like to any API.
     */
    @PostMapping("/sandbox/chat/api/chat.postMessage")
    ResponseEntity<Map<String, Object>> postMessage(
            @RequestHeader(name = "Authorization", required = false)
            String authorization, @RequestBody Map<String, Object> payload) throws JsonProcessingException {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return ResponseEntity.status(401).body(Map.of("ok", false, "error", "not_authed"));
        }
        Set<String> scopes;
        try {
            scopes = tokens.scopesOf(authorization.substring(7).trim());
        } catch (SandboxError refused) {
            return ResponseEntity.status(401).body(Map.of("ok", false, "error", "invalid_auth"));
        }
        if (!scopes.contains("chat:write")) {
            return ResponseEntity.status(403).body(Map.of("ok", false, "error", "missing_scope", "needed", "chat:write"));
        }
        Instant at = store(payload);
        // Slack's ts: seconds and microseconds of the message, which is how it names a message.
        String ts = at.getEpochSecond() + "." + String.format("%06d", at.getNano() / 1000);
        return ResponseEntity.ok(Map.of("ok", true, "channel", channelOf(payload), "ts", ts));
    }

    private String channelOf(Map<String, Object> payload) {
        Object channel = payload.get("channel");
        return channel == null ? properties.chat().channel() : channel.toString();
    }

    /** Keeps a message in the channel's history; when it was received. */
    private Instant store(Map<String, Object> payload) throws JsonProcessingException {
        Object text = payload.get("text");
        if (text == null || text.toString().isBlank()) {
            throw SandboxError.badRequest("no_text", "The message needs a text");
        }
        Instant at = Instant.now(clock).truncatedTo(ChronoUnit.MILLIS);
        jdbc.update("insert into sandbox_chat_message (channel, message_text, payload, received_at) values (?, ?, ?, ?)",
                channelOf(payload), text.toString(), json.writeValueAsString(payload), Timestamp.from(at));
        return at;
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
