package io.switchboard.security;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code switchboard.security.*}: the admin account, extra users and API keys.
 * Only hashes are configured for users and keys, so a leaked config file leaks no secret.
 */
@ConfigurationProperties("switchboard.security")
public record SecurityProperties(Admin admin, Map<String, User> users, Map<String, ApiKey> apiKeys) {

    public SecurityProperties {
        admin = admin == null ? new Admin("admin", "") : admin;
        users = users == null ? Map.of() : new LinkedHashMap<>(users);
        apiKeys = apiKeys == null ? Map.of() : new LinkedHashMap<>(apiKeys);
    }

    /** The admin; a blank password means "generate one at first start". */
    public record Admin(String user, String password) {
    }

    /** A person with a role; {@code passwordHash} in Spring Security's {@code {id}hash} form. */
    public record User(String passwordHash, Role role) {
    }

    /** A programmatic client: the hex SHA-256 of its {@code X-Api-Key} and its role. */
    public record ApiKey(String sha256, Role role) {
    }
}
