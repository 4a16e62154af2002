package io.switchboard.drill;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import org.junit.jupiter.api.Test;

class DrillPayloadsTest {

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void aPayloadFromANestedSchemaMatchesItAndCarriesTheMarker() throws Exception {
        JsonNode schema = json.readTree("""
                {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
                 "required": ["kind", "order"],
                 "properties": {
                   "kind": {"const": "order.paid"},
                   "order": {"type": "object", "required": ["id", "customer", "lines"],
                     "properties": {
                       "id": {"type": "string", "minLength": 1},
                       "paidAt": {"type": "string", "format": "date-time"},
                       "customer": {"type": "object", "required": ["email"],
                         "properties": {"email": {"type": "string", "format": "email"}}},
                       "lines": {"type": "array", "minItems": 2, "items": {"type": "object",
                         "required": ["sku", "status", "quantity"],
                         "properties": {"sku": {"type": "string"},
                           "status": {"enum": ["open", "shipped"]},
                           "quantity": {"type": "integer", "minimum": 1}}}}}},
                   "currency": {"type": "string", "default": "EUR"},
                   "channel": {"type": "string", "examples": ["web"]},
                   "link": {"type": "string", "format": "uri"}
                 }}""");

        JsonNode payload = DrillPayloads.generate(schema, "drillabcn0001");

        assertThat(JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(schema).validate(payload))
                .as(payload.toPrettyString()).isEmpty();
        assertThat(payload.get("kind").asText()).isEqualTo("order.paid");
        assertThat(payload.at("/order/customer/email").asText()).isEqualTo("drillabcn0001@drills.jacquard.io");
        assertThat(payload.at("/order/id").asText()).contains("drillabcn0001");
        assertThat(payload.at("/order/lines").size()).isEqualTo(2);
        assertThat(payload.at("/order/lines/0/status").asText()).isEqualTo("open");
        assertThat(payload.at("/order/lines/1/quantity").asInt()).isEqualTo(1);
        assertThat(payload.get("currency").asText()).isEqualTo("EUR");
        assertThat(payload.get("channel").asText()).isEqualTo("web");
    }

    @Test
    void aCardsExampleGetsTheMarkerWhereItSaysDrillAndKeepsTheRest() throws Exception {
        JsonNode example = json.readTree("""
                {"issue": {"node_id": "I_{drill}", "labels": [{"name": "urgent"}], "number": 28}}""");

        JsonNode marked = DrillPayloads.mark(example, "drillabcn0002");

        assertThat(marked.at("/issue/node_id").asText()).isEqualTo("I_drillabcn0002");
        assertThat(marked.at("/issue/labels/0/name").asText()).isEqualTo("urgent");
        assertThat(marked.at("/issue/number").asInt()).isEqualTo(28);
        assertThat(example.at("/issue/node_id").asText()).isEqualTo("I_{drill}");
    }
}
