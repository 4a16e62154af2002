package io.switchboard.sandbox;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The shop database's API under {@code /sandbox/shop-db}: place an order as the shop's
 * application does (the order and its outbox row in one transaction), and read the orders (the
 * shop's and those an integration wrote) and the outbox, where a processed row shows when it was
 * taken. Operators only.
 */
@SandboxEnabled
@RestController
class ShopDatabaseController {

    private final ObjectProvider<SandboxShopDatabase> database;
    private final ObjectMapper json;

    ShopDatabaseController(ObjectProvider<SandboxShopDatabase> database, ObjectMapper json) {
        this.database = database;
        this.json = json;
    }

    /** An order: {@code email} required; {@code orderId} defaults to a new one, {@code currency} to EUR. */
    record Order(String orderId, String email, Long totalCents, String currency, List<Map<String, Object>> items) {
    }

    /** What was committed. */
    record Placed(String orderId, String outboxId, String type) {
    }

    @PostMapping("/sandbox/shop-db/orders")
    ResponseEntity<Placed> place(@RequestBody Order order) throws Exception {
        SandboxAccess.requireOperator();
        SandboxShopDatabase shop = StandInsOff.require(database, "shop-db");
        if (order.email() == null || !order.email().trim().matches("[^@\\s]+@[^@\\s]+\\.[^@\\s]+")) {
            throw SandboxError.badRequest("invalid_email", "email is missing or not an e-mail address");
        }
        String orderId = order.orderId() == null || order.orderId().isBlank()
                ? "o_" + UUID.randomUUID().toString().substring(0, 8) : order.orderId();
        long total = order.totalCents() == null ? 0 : order.totalCents();
        String currency = order.currency() == null || order.currency().isBlank() ? "EUR" : order.currency();
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("orderId", orderId);
        event.put("email", order.email().trim());
        event.put("totalCents", total);
        event.put("currency", currency);
        event.put("items", order.items() == null ? List.of() : order.items());
        ObjectNode payload = json.valueToTree(event);
        try {
            String outboxId = shop.placeOrder(orderId, order.email().trim(), total, currency,
                    json.writeValueAsString(payload));
            return ResponseEntity.status(HttpStatus.CREATED).body(new Placed(orderId, outboxId, "order.placed"));
        } catch (DuplicateKeyException placedBefore) {
            throw new SandboxError(HttpStatus.CONFLICT, "order_exists", "The shop already has order " + orderId);
        }
    }

    /** The orders table, newest first (at most 500 rows): the shop's own and those integrations wrote. */
    @GetMapping("/sandbox/shop-db/orders")
    List<SandboxShopDatabase.OrderRow> orders() {
        SandboxAccess.requireOperator();
        return StandInsOff.require(database, "shop-db").orders();
    }

    /** The outbox, newest first (at most 500 rows). */
    @GetMapping("/sandbox/shop-db/outbox")
    List<SandboxShopDatabase.OutboxRow> outbox() {
        SandboxAccess.requireOperator();
        return StandInsOff.require(database, "shop-db").outbox();
    }
}
