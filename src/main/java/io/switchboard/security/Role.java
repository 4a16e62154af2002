package io.switchboard.security;

import java.util.Locale;

/** Roles in increasing power: each one may do everything the one before it may. */
public enum Role {
    VIEWER, OPERATOR, ADMIN;

    /** The Spring Security authority, e.g. {@code ROLE_VIEWER}. */
    public String authority() {
        return "ROLE_" + name();
    }

    /** Accepts {@code viewer}, {@code VIEWER}; anything else is a configuration error that names the value. */
    public static Role parse(String value) {
        try {
            return Role.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("Unknown role '" + value + "': use viewer, operator or admin");
        }
    }
}
