package io.switchboard.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.http.converter.json.MappingJackson2HttpMessageConverter;
import org.springframework.http.server.ServletServerHttpRequest;
import org.springframework.mock.web.MockHttpServletRequest;

/** The masking step every JSON answer goes through, on answers no controller masked itself. */
class MaskedAnswersTest {

    private final ObjectMapper json = new ObjectMapper();
    private final MaskedAnswers answers = new MaskedAnswers(
            new PayloadMask(new JournalProperties(null, null, null, 0, 0), json), json);

    /** An answer a new endpoint might give: a stored payload as it is, and an error quoting it. */
    record Parked(String payload, String exceptionMessage, Map<String, Object> evidence) {
    }

    @Test
    void maskedFieldsAreMaskedInsideStoredJsonAndTheirValuesBlottedOutWhereverElseTheAnswerQuotesThem() {
        Parked parked = new Parked("{\"email\":\"ada@example.com\",\"card\":{\"cardNumber\":\"4111111111111111\"}}",
                "card 4111111111111111 refused for ada@example.com",
                Map.of("sample", Map.of("Password", "hunter2-S3cret"), "note", "tried hunter2-S3cret"));

        JsonNode shown = (JsonNode) answers.beforeBodyWrite(List.of(parked), null, MediaType.APPLICATION_JSON,
                MappingJackson2HttpMessageConverter.class, request("/api/new-endpoint"), null);

        String text = shown.toString();
        assertThat(text).doesNotContain("4111111111111111").doesNotContain("hunter2-S3cret");
        assertThat(shown.get(0).get("payload").asText()).contains("\"cardNumber\":\"***\"").contains("ada@example.com");
        assertThat(shown.get(0).get("exceptionMessage").asText()).isEqualTo("card *** refused for ada@example.com");
        assertThat(shown.get(0).get("evidence").get("sample").get("Password").asText()).isEqualTo("***");
        assertThat(shown.get(0).get("evidence").get("note").asText()).isEqualTo("tried ***");
    }

    @Test
    void theSandboxsSimulatedSystemsAnswerAsTheyAre() {
        Map<String, String> contact = Map.of("token", "sandbox-token-1");
        assertThat(answers.beforeBodyWrite(contact, null, MediaType.APPLICATION_JSON,
                MappingJackson2HttpMessageConverter.class, request("/sandbox/crm/contacts"), null)).isSameAs(contact);
    }

    private static ServletServerHttpRequest request(String path) {
        return new ServletServerHttpRequest(new MockHttpServletRequest("GET", path));
    }
}
