package io.switchboard.sandbox;

import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The sandbox billing system's invoices: paged by {@code updatedSince} and an opaque
 * cursor (ordered by update time, then id, so no page skips or repeats a row), and
 * changing over time (every {@code change-every} one open invoice is paid and a new one is
 * issued) so a scheduled sync always finds work.
 */
@SandboxEnabled
@Component
class BillingInvoices {

    /**
     * The largest page billing hands out. Generous for a sandbox (Stripe stops at 100), so a
     * sync can be measured with pages of up to 1000 invoices.
     */
    static final int MAX_LIMIT = 1000;

    private final JdbcTemplate jdbc;
    private final SandboxProperties properties;
    private final Clock clock;

    BillingInvoices(JdbcTemplate jdbc, SandboxProperties properties, Clock clock) {
        this.jdbc = jdbc;
        this.properties = properties;
        this.clock = clock;
    }

    record Invoice(String id, String customerId, long amountCents, String currency, String status, int version,
            Instant issuedAt, Instant updatedAt) {
    }

    /**
     * One page, the cursor for the next one ({@code null} on the last page), and, on the
     * first page only ({@code null} on the others), how many invoices match
     * {@code updatedSince} in all (for a count check).
     */
    record Page(List<Invoice> invoices, String nextCursor, Long total) {
    }

    Page page(Instant updatedSince, String cursor, int limit) {
        changeIfDue();
        int size = Math.max(1, Math.min(limit, MAX_LIMIT));
        StringBuilder sql = new StringBuilder("select id, customer_id, amount_cents, currency, invoice_status, "
                + "invoice_version, issued_at, updated_at from sandbox_billing_invoice where 1 = 1");
        List<Object> args = new ArrayList<>();
        if (updatedSince != null) {
            sql.append(" and updated_at >= ?");
            args.add(Timestamp.from(updatedSince));
        }
        if (cursor != null && !cursor.isBlank()) {
            Position after = Position.decode(cursor);
            // The leading range lets the database start the (updated_at, id) index at the cursor
            // instead of filtering every earlier row on each page.
            sql.append(" and updated_at >= ? and (updated_at > ? or (updated_at = ? and id > ?))");
            args.add(Timestamp.from(after.updatedAt()));
            args.add(Timestamp.from(after.updatedAt()));
            args.add(Timestamp.from(after.updatedAt()));
            args.add(after.id());
        }
        sql.append(" order by updated_at, id limit ").append(size);
        List<Invoice> invoices = jdbc.query(sql.toString(), BillingInvoices::invoice, args.toArray());
        String next = invoices.size() < size ? null
                : new Position(invoices.get(size - 1).updatedAt(), invoices.get(size - 1).id()).encode();
        if (cursor != null && !cursor.isBlank()) {
            // The total does not change from page to page; counting it again would scan every
            // matching row on each page of a long read.
            return new Page(invoices, next, null);
        }
        Long total = updatedSince == null
                ? jdbc.queryForObject("select count(*) from sandbox_billing_invoice", Long.class)
                : jdbc.queryForObject("select count(*) from sandbox_billing_invoice where updated_at >= ?", Long.class,
                        Timestamp.from(updatedSince));
        return new Page(invoices, next, total == null ? 0 : total);
    }

    /** Creates {@code count} open invoices for the seeded customers, changed a moment apart in the recent past. */
    int seed(int count) {
        List<String> customers = jdbc.queryForList("select id from sandbox_billing_customer order by id", String.class);
        if (customers.isEmpty() || count <= 0) {
            return 0;
        }
        Instant now = now();
        for (int i = 0; i < count; i++) {
            Instant at = now.minus(count - i, ChronoUnit.SECONDS);
            insert(customers.get(i % customers.size()), at);
        }
        return count;
    }

    /** Every {@code change-every}: the longest-unchanged open invoice is paid and a new one is issued. */
    void changeIfDue() {
        Timestamp latest = jdbc.queryForObject("select max(updated_at) from sandbox_billing_invoice", Timestamp.class);
        Instant now = now();
        if (latest != null && latest.toInstant().plus(properties.billing().changeEvery()).isAfter(now)) {
            return;
        }
        List<String> open = jdbc.queryForList("select id from sandbox_billing_invoice where invoice_status = 'open' "
                + "order by updated_at, id limit 1", String.class);
        if (!open.isEmpty()) {
            jdbc.update("update sandbox_billing_invoice set invoice_status = 'paid', invoice_version = invoice_version + 1, "
                    + "updated_at = ? where id = ?", Timestamp.from(now), open.get(0));
        }
        List<String> customers = jdbc.queryForList("select id from sandbox_billing_customer order by id", String.class);
        if (!customers.isEmpty()) {
            insert(customers.get(ThreadLocalRandom.current().nextInt(customers.size())), now);
        }
    }

    private void insert(String customer, Instant at) {
        jdbc.update("insert into sandbox_billing_invoice (id, customer_id, amount_cents, currency, invoice_status, "
                + "invoice_version, issued_at, updated_at) values (?, ?, ?, 'EUR', 'open', 1, ?, ?)",
                CrmController.id("inv"), customer, 1_000L * ThreadLocalRandom.current().nextInt(5, 500),
                Timestamp.from(at), Timestamp.from(at));
    }

    private Instant now() {
        return Instant.now(clock).truncatedTo(ChronoUnit.MILLIS);
    }

    private static Invoice invoice(ResultSet rs, int row) throws SQLException {
        return new Invoice(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getString(4), rs.getString(5),
                rs.getInt(6), CrmController.instant(rs, 7), CrmController.instant(rs, 8));
    }

    /**
     * Where a page ended; opaque to clients. The update time keeps the database's precision
     * (seconds and nanoseconds): a bulk update gives many rows one millisecond, and a cursor
     * cut to milliseconds would hand the same rows out again on every page.
     */
    record Position(Instant updatedAt, String id) {

        String encode() {
            return Base64.getUrlEncoder().withoutPadding().encodeToString((updatedAt.getEpochSecond() + "."
                    + updatedAt.getNano() + ":" + id).getBytes(StandardCharsets.UTF_8));
        }

        static Position decode(String cursor) {
            try {
                String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
                int colon = text.indexOf(':');
                int dot = text.indexOf('.');
                if (dot < 0 || dot > colon) {
                    throw new IllegalArgumentException("no nanoseconds");
                }
                return new Position(Instant.ofEpochSecond(Long.parseLong(text.substring(0, dot)),
                        Long.parseLong(text.substring(dot + 1, colon))), text.substring(colon + 1));
            } catch (RuntimeException unreadable) {
                throw SandboxError.badRequest("invalid_cursor", "The cursor is not one this API gave out");
            }
        }
    }
}
