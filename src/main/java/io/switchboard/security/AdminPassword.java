package io.switchboard.security;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.crypto.password.PasswordEncoder;

/**
 * Resolves the admin's password hash. A password from {@code SWITCHBOARD_ADMIN_PASSWORD}
 * wins; without one, a random password is generated at first start, printed once, and
 * only its hash is kept in the database, so later starts keep the same login without
 * ever printing it again.
 */
final class AdminPassword {

    private static final Logger log = LoggerFactory.getLogger(AdminPassword.class);

    private AdminPassword() {
    }

    static String hashFor(SecurityProperties.Admin admin, JdbcTemplate jdbc, PasswordEncoder encoder) {
        if (admin.password() != null && !admin.password().isBlank()) {
            return encoder.encode(admin.password());
        }
        List<String> stored = jdbc.queryForList(
                "select password_hash from admin_credential where username = ?", String.class, admin.user());
        if (!stored.isEmpty()) {
            log.info("Admin '{}' uses the password generated at first start "
                    + "(set SWITCHBOARD_ADMIN_PASSWORD to choose one).", admin.user());
            return stored.get(0);
        }
        String generated = randomPassword();
        String hash = encoder.encode(generated);
        jdbc.update("insert into admin_credential (username, password_hash) values (?, ?)", admin.user(), hash);
        // Printed exactly once, on purpose: this is the only way an operator learns it.
        log.warn("""

                ==========================================================================
                 No SWITCHBOARD_ADMIN_PASSWORD set: generated the admin password once.
                   user:     {}
                   password: {}
                 It is not shown again. Set SWITCHBOARD_ADMIN_PASSWORD to replace it.
                ==========================================================================""",
                admin.user(), generated);
        return hash;
    }

    private static String randomPassword() {
        byte[] bytes = new byte[18];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
