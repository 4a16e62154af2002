package io.switchboard.ingress;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;

/** When the event cannot be committed the sender gets 503 with Retry-After, never a 2xx. */
class StorageUnavailableTest {

    @Test
    void databaseDownAnswers503WithRetryAfter() throws Exception {
        WebhookIngress ingress = mock(WebhookIngress.class);
        when(ingress.receive(anyString(), any(), anyLong(), any(), any()))
                .thenThrow(new CannotGetJdbcConnectionException("Connection refused to jdbc:postgresql://db"));
        MockMvc mvc = MockMvcBuilders.standaloneSetup(new WebhookController(ingress)).build();

        mvc.perform(post("/webhooks/lead-intake").contentType(MediaType.APPLICATION_JSON).content("{}"))
                .andExpect(status().isServiceUnavailable())
                .andExpect(header().string("Retry-After", "30"))
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.detail").value("The event could not be stored right now and was not accepted; retry later."));
    }
}
