package io.switchboard.sandbox;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Fills an empty sandbox at start: three sales reps (one inactive), five billing
 * customers and {@code switchboard.sandbox.billing.seed-invoices} invoices. Existing state
 * is kept, so the sandbox carries on where it was after a restart.
 */
@SandboxEnabled
@Component
class SandboxSeed implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(SandboxSeed.class);

    private final JdbcTemplate jdbc;
    private final SandboxProperties properties;
    private final SandboxTokens tokens;
    private final BillingInvoices invoices;

    SandboxSeed(JdbcTemplate jdbc, SandboxProperties properties, SandboxTokens tokens, BillingInvoices invoices) {
        this.jdbc = jdbc;
        this.properties = properties;
        this.tokens = tokens;
        this.invoices = invoices;
    }

    @Override
    public void run(ApplicationArguments args) {
        tokens.ensureClient(properties.crm().clientId());
        seedOnce(() -> {
            if (count("sandbox_crm_user") == 0) {
                user("u_ada", "Ada Park", "ada.park@sales.example", true);
                user("u_grace", "Grace Okafor", "grace.okafor@sales.example", true);
                user("u_alan", "Alan Weiss", "alan.weiss@sales.example", false);
            }
        });
        seedOnce(() -> {
            if (count("sandbox_billing_customer") == 0) {
                customer("cus_001", "Analytical Engines Ltd", "billing@analytical-engines.example", "active");
                customer("cus_002", "Difference Works", "accounts@difference-works.example", "active");
                customer("cus_003", "Jacquard Looms", "finance@jacquard.example", "past_due");
                customer("cus_004", "Babbage & Sons", "invoices@babbage.example", "active");
                customer("cus_005", "Lovelace Labs", "ap@lovelace-labs.example", "cancelled");
            }
        });
        seedOnce(() -> {
            if (count("sandbox_billing_invoice") == 0) {
                invoices.seed(properties.billing().seedInvoices());
            }
        });
        warnIfBlank(properties.crm().clientSecret(), "switchboard.sandbox.crm.client-secret");
        warnIfBlank(properties.mail().apiKey(), "switchboard.sandbox.mail.api-key");
        warnIfBlank(properties.billing().apiKey(), "switchboard.sandbox.billing.api-key");
        warnIfBlank(properties.chat().token(), "switchboard.sandbox.chat.token");
        log.info("Sandbox is on under /sandbox (CRM, mail, billing, chat); its credentials are demo values.");
    }

    /**
     * Nodes of a cluster starting together on one database each find the tables empty and seed
     * them: the first node's rows win, a later node's duplicate is no reason to fail its start.
     */
    private static void seedOnce(Runnable seed) {
        try {
            seed.run();
        } catch (DuplicateKeyException anotherNodeSeededIt) {
            log.info("Sandbox seed: another node seeded the same rows first ({})", anotherNodeSeededIt
                    .getMostSpecificCause().getMessage().lines().findFirst().orElse(""));
        }
    }

    private int count(String table) {
        Integer count = jdbc.queryForObject("select count(*) from " + table, Integer.class);
        return count == null ? 0 : count;
    }

    private void user(String id, String name, String email, boolean active) {
        jdbc.update("insert into sandbox_crm_user (id, name, email, active) values (?, ?, ?, ?)", id, name, email, active);
    }

    private void customer(String id, String name, String email, String status) {
        jdbc.update("insert into sandbox_billing_customer (id, name, email, customer_status) values (?, ?, ?, ?)",
                id, name, email, status);
    }

    private static void warnIfBlank(String value, String property) {
        if (value == null || value.isBlank()) {
            log.warn("The sandbox has no {}: calls to that system will be refused", property);
        }
    }
}
