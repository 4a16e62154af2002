package io.switchboard.sandbox;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The sandbox billing system under {@code /sandbox/billing}: customers with their billing
 * status, and invoices paged by {@code updatedSince}, {@code cursor} and {@code limit} (at
 * most {@value BillingInvoices#MAX_LIMIT} a page; a JSON array; the next page's cursor in the
 * {@code X-Next-Cursor} header, and on the first page, the one without a cursor, the number
 * of invoices matching {@code updatedSince} in {@code X-Total-Count}).
 */
@SandboxEnabled
@RestController
class BillingController {

    private final JdbcTemplate jdbc;
    private final SandboxAccess access;
    private final BillingInvoices invoices;

    BillingController(JdbcTemplate jdbc, SandboxAccess access, BillingInvoices invoices) {
        this.jdbc = jdbc;
        this.access = access;
        this.invoices = invoices;
    }

    record Customer(String id, String name, String email, String status, int openInvoices, long balanceCents) {
    }

    @GetMapping("/sandbox/billing/customers")
    List<Customer> customers(@RequestParam(required = false) String email, HttpServletRequest request) {
        access.billing(request);
        Where where = new Where().and("c.email", email);
        return jdbc.query(customerQuery(where.toString()), BillingController::customer, where.args());
    }

    @GetMapping("/sandbox/billing/customers/{id}")
    Customer customer(@PathVariable String id, HttpServletRequest request) {
        access.billing(request);
        Where where = new Where().and("c.id", id);
        List<Customer> found = jdbc.query(customerQuery(where.toString()), BillingController::customer, where.args());
        if (found.isEmpty()) {
            throw SandboxError.notFound("Customer " + id);
        }
        return found.get(0);
    }

    @GetMapping("/sandbox/billing/invoices")
    ResponseEntity<List<BillingInvoices.Invoice>> invoices(@RequestParam(required = false) String updatedSince,
            @RequestParam(required = false) String cursor, @RequestParam(defaultValue = "50") int limit,
            HttpServletRequest request) {
        access.billing(request);
        Instant since;
        try {
            since = updatedSince == null || updatedSince.isBlank() ? null : Instant.parse(updatedSince);
        } catch (DateTimeParseException e) {
            throw SandboxError.badRequest("invalid_updated_since", "updatedSince must be an ISO-8601 instant, "
                    + "e.g. 2025-01-31T12:00:00Z");
        }
        BillingInvoices.Page page = invoices.page(since, cursor, limit);
        var response = ResponseEntity.ok();
        if (page.total() != null) {
            response.header("X-Total-Count", Long.toString(page.total()));
        }
        if (page.nextCursor() != null) {
            response.header("X-Next-Cursor", page.nextCursor());
        }
        return response.body(page.invoices());
    }

    /** Admin: adds N open invoices, e.g. for a sync test or a benchmark. */
    @PostMapping("/sandbox/billing/seed")
    ResponseEntity<Map<String, Integer>> seed(@RequestBody Map<String, Integer> request) {
        SandboxAccess.requireAdmin();
        Integer count = request.get("invoices");
        if (count == null || count < 1 || count > 100_000) {
            throw SandboxError.badRequest("invalid_seed", "Send {\"invoices\": N} with N from 1 to 100000");
        }
        return ResponseEntity.status(HttpStatus.CREATED).body(Map.of("created", invoices.seed(count)));
    }

    private static String customerQuery(String where) {
        return "select c.id, c.name, c.email, c.customer_status, "
                + "(select count(*) from sandbox_billing_invoice i where i.customer_id = c.id and i.invoice_status = 'open'), "
                + "(select coalesce(sum(i.amount_cents), 0) from sandbox_billing_invoice i "
                + "where i.customer_id = c.id and i.invoice_status = 'open') "
                + "from sandbox_billing_customer c" + where + " order by c.id";
    }

    private static Customer customer(ResultSet rs, int row) throws SQLException {
        return new Customer(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getInt(5),
                rs.getLong(6));
    }
}
