package io.switchboard.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.support.IntegrationTestSupport;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * The red team's lead with secrets in it, parked as invalid data: no API answer shows one of
 * its masked values to anybody, and journal search cannot find or confirm them. Every GET under
 * {@code /api} the server maps is called, so an endpoint added later is walked too.
 */
class EveryApiAnswerIsMaskedTest extends IntegrationTestSupport {

    private static final List<String> PLANTED = List.of("hunter2-S3cret", "4111111111111111", "078-05-1120",
            "tok_LIVE_abcdef123", "GB33BUKB20201555555555");
    private static final Pattern VARIABLE = Pattern.compile("\\{([^}]+)}");

    @Autowired
    List<RequestMappingHandlerMapping> mappings;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void noGetUnderApiShowsAMaskedValueOfAParkedLeadToAViewerOrTheAdmin() throws Exception {
        String eventId = postSigned("lead-intake", LEAD_INTAKE_SECRET, lead("mask-" + UUID.randomUUID()));
        awaitStatus(eventId, "DEAD");
        String deadLetterId = (String) deadLetter(eventId).get("id");
        HttpResponse<String> test = callAs("operator", "POST", "/api/integrations/lead-intake/test-events",
                json.writeValueAsString(lead("mask-test-" + UUID.randomUUID())));
        assertThat(test.statusCode()).as(test.body()).isEqualTo(202);
        awaitStatus(json.readTree(test.body()).get("eventId").asText(), "DEAD");

        Map<String, String> values = Map.of("id", eventId, "integration", "lead-intake", "name", "crm");
        List<String> walked = new ArrayList<>();
        for (String pattern : getPatternsUnderApi()) {
            String path = fill(pattern, pattern.startsWith("/api/dead-letters/") ? Map.of("id", deadLetterId)
                    : pattern.startsWith("/api/events/") ? values : Map.of("id", "lead-intake", "integration",
                            "lead-intake", "name", "crm"));
            for (String who : List.of("viewer", "admin")) {
                HttpResponse<String> answer = callAs(who, "GET", path, null);
                for (String secret : PLANTED) {
                    assertThat(answer.body()).as(who + " GET " + path).doesNotContain(secret);
                }
                if (answer.statusCode() == 200) {
                    walked.add(who + " " + path);
                }
            }
        }
        // The walk reached the answers that carry the parked lead, so the checks above could fail.
        assertThat(walked).contains("viewer /api/dead-letters", "viewer /api/dead-letters/" + deadLetterId,
                "viewer /api/events/" + eventId, "viewer /api/events", "admin /api/alerts",
                "viewer /api/integrations/lead-intake/test-events/sample", "viewer /api/integrations");
        JsonNode letters = json.readTree(callAs("viewer", "GET", "/api/dead-letters?integration=lead-intake&limit=1000",
                null).body());
        JsonNode letter = null;
        for (JsonNode candidate : letters) {
            if (eventId.equals(candidate.path("eventId").asText())) {
                letter = candidate;
            }
        }
        assertThat(letter).as("the parked lead in the dead-letter listing").isNotNull();
        JsonNode payload = json.readTree(letter.get("payload").asText());
        assertThat(payload.get("password").asText()).isEqualTo("***");
        assertThat(payload.get("billing").get("iban").asText()).isEqualTo("***");
        assertThat(payload.get("email").asText()).isEqualTo("x@gmial.com");
    }

    @Test
    void searchFindsWhatAViewerSeesButNeverAMaskedValue() throws Exception {
        String submission = "search-" + UUID.randomUUID();
        String eventId = postSigned("lead-intake", LEAD_INTAKE_SECRET, lead(submission));
        awaitStatus(eventId, "DEAD");

        assertThat(search(submission)).containsExactly(eventId);
        assertThat(search("\"submissionId\":\"" + submission)).containsExactly(eventId);
        // The red team's probes: each prefix of a masked value, and the field with it, found 1 event.
        assertThat(search("\"password\":\"hunter2-S3c")).isEmpty();
        assertThat(search("hunter2-S3cret")).isEmpty();
        assertThat(search("078-05")).isEmpty();
        assertThat(search("\"ssn\":\"0")).isEmpty();
        assertThat(search("tok_LIVE")).isEmpty();
        // The unmasked fields stay searchable, in the form a viewer sees them.
        assertThat(search("\"email\":\"x@gmial.com\"")).contains(eventId);
    }

    @Test
    void searchesBeyondTheAccountsRatePerMinuteAreRefusedWithRetryAfter() throws Exception {
        // The scraper API key is this test's own account: nothing else in the suite searches with it.
        HttpResponse<String> last = null;
        int answered = 0;
        for (int i = 0; i < 61 && (last == null || last.statusCode() == 200); i++) {
            last = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/events?q=nothing-"
                    + i)).header("X-Api-Key", "scraper-test-key").build(), HttpResponse.BodyHandlers.ofString());
            if (last.statusCode() == 200) {
                answered++;
            }
        }
        assertThat(answered).isEqualTo(60);
        assertThat(last.statusCode()).isEqualTo(429);
        assertThat(last.headers().firstValue("Retry-After")).isPresent();
        assertThat(last.body()).contains("searches-per-minute");
        // The list without a search is not limited.
        assertThat(http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/events?limit=1"))
                .header("X-Api-Key", "scraper-test-key").build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                .isEqualTo(200);
    }

    private List<String> search(String q) throws Exception {
        HttpResponse<String> answer = callAs("viewer", "GET", "/api/events?integration=lead-intake&limit=500&q="
                + URLEncoder.encode(q, StandardCharsets.UTF_8), null);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        json.readTree(answer.body()).forEach(event -> ids.add(event.get("id").asText()));
        return ids;
    }

    private static Map<String, Object> lead(String submissionId) {
        return Map.of("submissionId", submissionId, "email", "x@gmial.com", "firstName", "Mallory",
                "password", "hunter2-S3cret", "cardNumber", "4111111111111111", "ssn", "078-05-1120",
                "token", "tok_LIVE_abcdef123", "billing", Map.of("iban", "GB33BUKB20201555555555"));
    }

    private TreeSet<String> getPatternsUnderApi() {
        TreeSet<String> patterns = new TreeSet<>();
        for (RequestMappingHandlerMapping mapping : mappings) {
            for (RequestMappingInfo info : mapping.getHandlerMethods().keySet()) {
                var methods = info.getMethodsCondition().getMethods();
                if (methods.isEmpty() || methods.contains(RequestMethod.GET)) {
                    info.getPatternValues().stream().filter(p -> p.startsWith("/api/"))
                            // Connect answers with a redirect to the provider, never with stored data.
                            .filter(p -> !p.endsWith("/authorize")).forEach(patterns::add);
                }
            }
        }
        assertThat(patterns).as("the API's GET mappings").hasSizeGreaterThan(8);
        return patterns;
    }

    private static String fill(String pattern, Map<String, String> values) {
        Matcher variable = VARIABLE.matcher(pattern);
        StringBuilder path = new StringBuilder();
        while (variable.find()) {
            String name = variable.group(1).replaceAll("[:.].*", "");
            variable.appendReplacement(path, Matcher.quoteReplacement(values.getOrDefault(name, "lead-intake")));
        }
        variable.appendTail(path);
        return path.toString();
    }
}
