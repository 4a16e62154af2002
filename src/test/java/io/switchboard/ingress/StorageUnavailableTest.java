package io.switchboard.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

/** When the event cannot be committed the sender gets 503 with Retry-After, never a 2xx. */
class StorageUnavailableTest {

    @Test
    void databaseDownAnswers503WithRetryAfter() throws Exception {
        WebhookIngress ingress = mock(WebhookIngress.class);
        when(ingress.admit(anyString(), any(), anyLong())).thenReturn(1024L);
        when(ingress.receive(anyString(), any(), any(), any(), any()))
                .thenThrow(new CannotGetJdbcConnectionException("Connection refused to jdbc:postgresql://db"));
        ObjectMapper json = new ObjectMapper();
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/webhooks/lead-intake");
        request.setContentType(MediaType.APPLICATION_JSON_VALUE);
        request.setContent("{}".getBytes());
        MockHttpServletResponse response = new MockHttpServletResponse();
        MockFilterChain chain = new MockFilterChain();

        new WebhookEndpoint(ingress, json).doFilter(request, response, chain);

        assertThat(response.getStatus()).isEqualTo(503);
        assertThat(response.getHeader("Retry-After")).isEqualTo("30");
        assertThat(MediaType.parseMediaType(response.getContentType()))
                .isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
        JsonNode problem = json.readTree(response.getContentAsByteArray());
        assertThat(problem.path("detail").asText())
                .isEqualTo("The event could not be stored right now and was not accepted; retry later.");
        assertThat(chain.getRequest()).as("the request went no further than the webhook endpoint").isNull();
    }

    @Test
    void otherMethodsAndPathsGoOnToTheSecuredChain() throws Exception {
        WebhookEndpoint endpoint = new WebhookEndpoint(mock(WebhookIngress.class), new ObjectMapper());
        for (MockHttpServletRequest request : new MockHttpServletRequest[] {
                new MockHttpServletRequest("GET", "/webhooks/lead-intake"),
                new MockHttpServletRequest("POST", "/webhooks/lead-intake/extra"),
                new MockHttpServletRequest("POST", "/api/dead-letters") }) {
            MockFilterChain chain = new MockFilterChain();
            endpoint.doFilter(request, new MockHttpServletResponse(), chain);
            assertThat(chain.getRequest()).as(request.getMethod() + " " + request.getRequestURI()).isSameAs(request);
        }
    }
}
