package io.switchboard.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/**
 * The real-time example of {@code src/docs/writing-integrations.md}: a GET that answers from
 * the CRM within its budget, 404 for an unknown address, 503 with Retry-After when the CRM
 * is down, and nothing but a viewer's credentials let in.
 */
class ContactCardExampleTest extends IntegrationTestSupport {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aKnownAddressIsAnsweredWithNameCompanyAndOwner() throws Exception {
        String email = "card." + UUID.randomUUID().toString().substring(0, 8) + "@analytical-engines.co.uk";
        JsonNode contact = asCrmClient("POST", "/sandbox/crm/contacts", json.writeValueAsString(Map.of("email", email,
                "firstName", "Ada", "lastName", "Lovelace", "company", "Analytical Engines")));
        long started = System.nanoTime();
        HttpResponse<String> response = viewer().get("/api/integrations/contact-card/" + email);
        long millis = (System.nanoTime() - started) / 1_000_000;
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode card = json.readTree(response.body());
        assertThat(card.get("name").asText()).isEqualTo("Ada Lovelace");
        assertThat(card.get("company").asText()).isEqualTo("Analytical Engines");
        assertThat(card.get("ownerId").asText()).isEqualTo(contact.get("ownerId").asText());
        assertThat(millis).as("within the card's latency budget").isLessThan(1000);
    }

    @Test
    void anUnknownAddressIsA404() throws Exception {
        HttpResponse<String> response = viewer().get("/api/integrations/contact-card/nobody."
                + UUID.randomUUID() + "@babbage-sons.io");
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(json.readTree(response.body()).get("title").asText()).isEqualTo("No CRM contact has that e-mail address");
    }

    @Test
    void aCrmOutageIsA503WithRetryAfter() throws Exception {
        fault("{\"system\":\"crm\",\"status\":503,\"count\":1}");
        HttpResponse<String> response = viewer().get("/api/integrations/contact-card/outage@babbage-sons.io");
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Retry-After")).contains("5");
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type ->
                assertThat(type).startsWith("application/problem+json"));
        assertThat(json.readTree(response.body()).get("title").asText()).contains("CRM does not answer");
    }

    @Test
    void anAnonymousCallerIsRefused() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port
                + "/api/integrations/contact-card/ada@analytical-engines.co.uk")).GET().build();
        assertThat(http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
    }

    @Test
    void theRouteFileIsTheOneTheDocsShow() throws Exception {
        assertDocsShowRouteFile("contact-card.camel.yaml");
    }

}
