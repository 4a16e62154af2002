package io.switchboard.sandbox;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The sandbox CRM under {@code /sandbox/crm}: contacts (upsert by e-mail), tasks for sales
 * reps, the reps themselves (one inactive), and invoices (upsert by invoice id, one at a
 * time or up to {@value #BATCH_LIMIT} in one batch call, filled by a sync). Each call needs a
 * bearer token with the call's scope.
 */
@SandboxEnabled
@RestController
class CrmController {

    private static final int LIST_LIMIT = 500;
    /** Invoices per batch upsert, as real CRMs cap theirs (HubSpot: 100 to 200 inputs). */
    static final int BATCH_LIMIT = 200;

    private static final String INVOICE_COLUMNS = "invoice_id, customer_id, amount_cents, currency, invoice_status, "
            + "invoice_version, source_updated_at, updated_at";
    private static final String UPDATE_INVOICE = "update sandbox_crm_invoice set customer_id = ?, amount_cents = ?, "
            + "currency = ?, invoice_status = ?, invoice_version = ?, source_updated_at = ?, updated_at = ? "
            + "where invoice_id = ?";
    private static final String INSERT_INVOICE = "insert into sandbox_crm_invoice (" + INVOICE_COLUMNS
            + ") values (?, ?, ?, ?, ?, ?, ?, ?)";

    private final JdbcTemplate jdbc;
    private final SandboxAccess access;
    private final Clock clock;
    private final TransactionTemplate tx;

    CrmController(JdbcTemplate jdbc, SandboxAccess access, Clock clock, PlatformTransactionManager transactions) {
        this.jdbc = jdbc;
        this.access = access;
        this.clock = clock;
        this.tx = new TransactionTemplate(transactions);
    }

    record Contact(String id, String email, String firstName, String lastName, String company, String phone,
            String source, String ownerId, Instant createdAt, Instant updatedAt) {
    }

    record Task(String id, String contactId, String ownerId, String title, String notes, Instant dueAt,
            Instant createdAt) {
    }

    record User(String id, String name, String email, boolean active) {
    }

    record Invoice(String invoiceId, String customerId, Long amountCents, String currency, String status,
            Integer version, Instant sourceUpdatedAt, Instant updatedAt) {
    }

    /** A batch upsert: {@code {"inputs": [invoice, ...]}}, as HubSpot's {@code batch/upsert} takes it. */
    record InvoiceBatch(List<Invoice> inputs) {
    }

    /**
     * What a batch upsert did, one result per input in the inputs' order: {@code created},
     * {@code updated} (the same version again counts as updated, as in the single upsert) or
     * {@code unchanged} (a newer version is stored, which the result shows).
     */
    record BatchAnswer(String status, int created, int updated, int unchanged, List<BatchResult> results) {
    }

    record BatchResult(String outcome, Invoice invoice) {
    }

    // --- contacts

    @GetMapping("/sandbox/crm/contacts")
    List<Contact> contacts(@RequestParam(required = false) String email, HttpServletRequest request) {
        access.crm(request, "contacts:read");
        String select = "select id, email, first_name, last_name, company, phone, source, owner_id, created_at, "
                + "updated_at from sandbox_crm_contact";
        return email == null
                ? jdbc.query(select + " order by created_at, id limit " + LIST_LIMIT, CrmController::contact)
                : jdbc.query(select + " where email = ?", CrmController::contact, email.trim().toLowerCase(Locale.ROOT));
    }

    @PostMapping("/sandbox/crm/contacts")
    ResponseEntity<Contact> upsertContact(@RequestBody Contact input, HttpServletRequest request) {
        access.crm(request, "contacts:write");
        String email = input.email() == null ? null : input.email().trim().toLowerCase(Locale.ROOT);
        if (email == null || !email.matches("[^@\\s]+@[^@\\s]+\\.[^@\\s]+")) {
            throw SandboxError.badRequest("invalid_email", "email is missing or not an e-mail address");
        }
        Timestamp now = now();
        for (int attempt = 0; attempt < 2; attempt++) {
            int updated = jdbc.update("update sandbox_crm_contact set first_name = coalesce(?, first_name), "
                    + "last_name = coalesce(?, last_name), company = coalesce(?, company), phone = coalesce(?, phone), "
                    + "source = coalesce(?, source), owner_id = coalesce(?, owner_id), updated_at = ? where email = ?",
                    input.firstName(), input.lastName(), input.company(), input.phone(), input.source(),
                    input.ownerId(), now, email);
            if (updated == 1) {
                return ResponseEntity.ok(contactByEmail(email));
            }
            try {
                jdbc.update("insert into sandbox_crm_contact (id, email, first_name, last_name, company, phone, source, "
                        + "owner_id, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", id("c"), email,
                        input.firstName(), input.lastName(), input.company(), input.phone(), input.source(),
                        input.ownerId() != null ? input.ownerId() : ownerFor(email), now, now);
                return ResponseEntity.status(HttpStatus.CREATED).body(contactByEmail(email));
            } catch (DuplicateKeyException createdMeanwhile) {
                // another call created it first: update it on the next pass
            }
        }
        throw new IllegalStateException("contact " + email + " could not be stored");
    }

    // --- tasks

    @GetMapping("/sandbox/crm/tasks")
    List<Task> tasks(@RequestParam(required = false) String contactId, @RequestParam(required = false) String ownerId,
            HttpServletRequest request) {
        access.crm(request, "tasks:read");
        Where where = new Where().and("contact_id", contactId).and("owner_id", ownerId);
        return jdbc.query("select id, contact_id, owner_id, title, notes, due_at, created_at from sandbox_crm_task"
                + where + " order by created_at, id limit " + LIST_LIMIT, CrmController::task, where.args());
    }

    /** Creates a task; an {@code Idempotency-Key} makes a repeated request return the first task. */
    @PostMapping("/sandbox/crm/tasks")
    ResponseEntity<Task> createTask(@RequestBody Task input,
            @RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey,
            HttpServletRequest request) {
        access.crm(request, "tasks:write");
        if (input.title() == null || input.title().isBlank()) {
            throw SandboxError.badRequest("invalid_task", "title is required");
        }
        if (input.ownerId() == null) {
            throw SandboxError.badRequest("invalid_task", "ownerId is required");
        }
        List<User> owner = jdbc.query("select id, name, email, active from sandbox_crm_user where id = ?",
                CrmController::user, input.ownerId());
        if (owner.isEmpty()) {
            throw new SandboxError(HttpStatus.UNPROCESSABLE_ENTITY, "owner_unknown", "No user " + input.ownerId())
                    .with("ownerId", input.ownerId());
        }
        if (!owner.get(0).active()) {
            throw new SandboxError(HttpStatus.UNPROCESSABLE_ENTITY, "owner_inactive",
                    "User " + input.ownerId() + " is deactivated and cannot own tasks").with("ownerId", input.ownerId());
        }
        if (idempotencyKey != null) {
            List<Task> earlier = jdbc.query("select id, contact_id, owner_id, title, notes, due_at, created_at "
                    + "from sandbox_crm_task where idempotency_key = ?", CrmController::task, idempotencyKey);
            if (!earlier.isEmpty()) {
                return ResponseEntity.ok().header("Idempotent-Replayed", "true").body(earlier.get(0));
            }
        }
        String id = id("t");
        jdbc.update("insert into sandbox_crm_task (id, contact_id, owner_id, title, notes, due_at, idempotency_key, "
                        + "created_at) values (?, ?, ?, ?, ?, ?, ?, ?)", id, input.contactId(), input.ownerId(),
                input.title(), input.notes(), input.dueAt() == null ? null : Timestamp.from(input.dueAt()),
                idempotencyKey, now());
        return ResponseEntity.status(HttpStatus.CREATED).body(jdbc.queryForObject("select id, contact_id, owner_id, "
                + "title, notes, due_at, created_at from sandbox_crm_task where id = ?", CrmController::task, id));
    }

    // --- users

    @GetMapping("/sandbox/crm/users")
    List<User> users(@RequestParam(required = false) Boolean active, HttpServletRequest request) {
        access.crm(request, "users:read");
        Where where = new Where().and("active", active);
        return jdbc.query("select id, name, email, active from sandbox_crm_user" + where + " order by id",
                CrmController::user, where.args());
    }

    // --- invoices

    /** Up to {@code limit} (at most 500) invoices; {@code X-Total-Count} says how many match in all. */
    @GetMapping("/sandbox/crm/invoices")
    ResponseEntity<List<Invoice>> invoices(@RequestParam(required = false) String customerId,
            @RequestParam(defaultValue = "" + LIST_LIMIT) int limit, HttpServletRequest request) {
        access.crm(request, "invoices:read");
        Where where = new Where().and("customer_id", customerId);
        Long total = jdbc.queryForObject("select count(*) from sandbox_crm_invoice" + where, Long.class, where.args());
        List<Invoice> invoices = jdbc.query("select invoice_id, customer_id, amount_cents, currency, invoice_status, "
                + "invoice_version, source_updated_at, updated_at from sandbox_crm_invoice" + where
                + " order by invoice_id limit " + Math.max(1, Math.min(limit, LIST_LIMIT)), CrmController::invoice,
                where.args());
        return ResponseEntity.ok().header("X-Total-Count", Long.toString(total == null ? 0 : total)).body(invoices);
    }

    /** Upsert by invoice id; an older version than the stored one changes nothing. */
    @PostMapping("/sandbox/crm/invoices")
    ResponseEntity<Invoice> upsertInvoice(@RequestBody Invoice input, HttpServletRequest request) {
        access.crm(request, "invoices:write");
        if (input.invoiceId() == null || input.invoiceId().isBlank()) {
            throw SandboxError.badRequest("invalid_invoice", "invoiceId is required");
        }
        Timestamp now = now();
        Timestamp sourceUpdated = input.sourceUpdatedAt() == null ? null : Timestamp.from(input.sourceUpdatedAt());
        String update = "update sandbox_crm_invoice set customer_id = ?, amount_cents = ?, currency = ?, "
                + "invoice_status = ?, invoice_version = ?, source_updated_at = ?, updated_at = ? where invoice_id = ?";
        int updated = input.version() == null
                ? jdbc.update(update, input.customerId(), input.amountCents(), input.currency(), input.status(), null,
                        sourceUpdated, now, input.invoiceId())
                : jdbc.update(update + " and (invoice_version is null or invoice_version <= ?)", input.customerId(),
                        input.amountCents(), input.currency(), input.status(), input.version(), sourceUpdated, now,
                        input.invoiceId(), input.version());
        if (updated == 0) {
            try {
                jdbc.update("insert into sandbox_crm_invoice (invoice_id, customer_id, amount_cents, currency, "
                        + "invoice_status, invoice_version, source_updated_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?)",
                        input.invoiceId(), input.customerId(), input.amountCents(), input.currency(), input.status(),
                        input.version(), sourceUpdated, now);
                return ResponseEntity.status(HttpStatus.CREATED).body(invoice(input.invoiceId()));
            } catch (DuplicateKeyException newerStored) {
                // a newer version is stored already: nothing to change
            }
        }
        return ResponseEntity.ok(invoice(input.invoiceId()));
    }

    /**
     * Upserts up to {@value #BATCH_LIMIT} invoices in one call and one transaction, with the
     * single upsert's rules for each: by invoice id, an older version than the stored one
     * changes nothing, the same version again is stored once (rewritten in place). All or
     * nothing: an invalid input refuses the whole batch before anything is written. The
     * sandbox's gate (injected faults, rate limit) counts the batch as one call.
     */
    @PostMapping("/sandbox/crm/invoices/batch")
    BatchAnswer upsertInvoices(@RequestBody InvoiceBatch batch, HttpServletRequest request) {
        access.crm(request, "invoices:write");
        List<Invoice> inputs = batch == null ? null : batch.inputs();
        if (inputs == null || inputs.isEmpty()) {
            throw SandboxError.badRequest("invalid_batch", "Send {\"inputs\": [invoice, ...]} with 1 to "
                    + BATCH_LIMIT + " invoices");
        }
        if (inputs.size() > BATCH_LIMIT) {
            throw SandboxError.badRequest("batch_too_large", "At most " + BATCH_LIMIT + " invoices per batch, not "
                    + inputs.size());
        }
        for (int i = 0; i < inputs.size(); i++) {
            Invoice input = inputs.get(i);
            if (input == null || input.invoiceId() == null || input.invoiceId().isBlank()) {
                throw SandboxError.badRequest("invalid_invoice", "inputs[" + i + "]: invoiceId is required");
            }
        }
        for (int attempt = 0; ; attempt++) {
            try {
                return tx.execute(status -> upsertAll(inputs));
            } catch (DuplicateKeyException createdMeanwhile) {
                // another call created one of them first: the next pass updates it instead
                if (attempt == 2) {
                    throw createdMeanwhile;
                }
            }
        }
    }

    /**
     * One transaction: reads (and locks) the stored invoices of the batch in one query,
     * decides per input as the single upsert would, then writes with two JDBC batches.
     */
    private BatchAnswer upsertAll(List<Invoice> inputs) {
        List<String> ids = new ArrayList<>(new LinkedHashSet<>(inputs.stream().map(Invoice::invoiceId).toList()));
        Map<String, Invoice> current = new HashMap<>();
        jdbc.query("select " + INVOICE_COLUMNS + " from sandbox_crm_invoice where invoice_id in ("
                + "?,".repeat(ids.size() - 1) + "?) for update", rs -> {
                    Invoice stored = invoice(rs, 0);
                    current.put(stored.invoiceId(), stored);
                }, ids.toArray());
        Timestamp now = now();
        List<Object[]> inserts = new ArrayList<>();
        List<Object[]> updates = new ArrayList<>();
        List<BatchResult> results = new ArrayList<>(inputs.size());
        int created = 0;
        int updated = 0;
        for (Invoice input : inputs) {
            Invoice stored = current.get(input.invoiceId());
            Invoice written = new Invoice(input.invoiceId(), input.customerId(), input.amountCents(), input.currency(),
                    input.status(), input.version(), input.sourceUpdatedAt(), now.toInstant());
            Timestamp sourceUpdated = input.sourceUpdatedAt() == null ? null : Timestamp.from(input.sourceUpdatedAt());
            if (stored == null) {
                inserts.add(new Object[] {input.invoiceId(), input.customerId(), input.amountCents(), input.currency(),
                        input.status(), input.version(), sourceUpdated, now});
                results.add(new BatchResult("created", written));
                created++;
            } else if (input.version() == null || stored.version() == null || stored.version() <= input.version()) {
                updates.add(new Object[] {input.customerId(), input.amountCents(), input.currency(), input.status(),
                        input.version(), sourceUpdated, now, input.invoiceId()});
                results.add(new BatchResult("updated", written));
                updated++;
            } else {
                results.add(new BatchResult("unchanged", stored));
                continue;
            }
            // A later input for the same invoice in this batch is weighed against this one.
            current.put(input.invoiceId(), written);
        }
        // Inserts first: an invoice created and changed again in the same batch is then updated in order.
        if (!inserts.isEmpty()) {
            jdbc.batchUpdate(INSERT_INVOICE, inserts);
        }
        if (!updates.isEmpty()) {
            jdbc.batchUpdate(UPDATE_INVOICE, updates);
        }
        return new BatchAnswer("COMPLETE", created, updated, inputs.size() - created - updated, results);
    }

    /** Owners are spread over all reps, inactive ones included, as in a real CRM whose team changed. */
    private String ownerFor(String email) {
        List<String> reps = jdbc.queryForList("select id from sandbox_crm_user order by id", String.class);
        return reps.isEmpty() ? null : reps.get(Math.floorMod(email.hashCode(), reps.size()));
    }

    private Contact contactByEmail(String email) {
        return jdbc.queryForObject("select id, email, first_name, last_name, company, phone, source, owner_id, "
                + "created_at, updated_at from sandbox_crm_contact where email = ?", CrmController::contact, email);
    }

    private Invoice invoice(String invoiceId) {
        return jdbc.queryForObject("select invoice_id, customer_id, amount_cents, currency, invoice_status, "
                + "invoice_version, source_updated_at, updated_at from sandbox_crm_invoice where invoice_id = ?",
                CrmController::invoice, invoiceId);
    }

    private Timestamp now() {
        return Timestamp.from(Instant.now(clock).truncatedTo(ChronoUnit.MILLIS));
    }

    static String id(String prefix) {
        return prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    }

    static Instant instant(ResultSet rs, int column) throws SQLException {
        Timestamp value = rs.getTimestamp(column);
        return value == null ? null : value.toInstant();
    }

    private static Contact contact(ResultSet rs, int row) throws SQLException {
        return new Contact(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getString(7), rs.getString(8), instant(rs, 9), instant(rs, 10));
    }

    private static Task task(ResultSet rs, int row) throws SQLException {
        return new Task(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                instant(rs, 6), instant(rs, 7));
    }

    private static User user(ResultSet rs, int row) throws SQLException {
        return new User(rs.getString(1), rs.getString(2), rs.getString(3), rs.getBoolean(4));
    }

    private static Invoice invoice(ResultSet rs, int row) throws SQLException {
        return new Invoice(rs.getString(1), rs.getString(2), (Long) rs.getObject(3, Long.class), rs.getString(4),
                rs.getString(5), (Integer) rs.getObject(6, Integer.class), instant(rs, 7), instant(rs, 8));
    }
}
