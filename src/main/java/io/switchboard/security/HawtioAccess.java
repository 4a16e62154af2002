package io.switchboard.security;

/**
 * The parts of Hawtio its own login page needs before anyone has logged in. Everything
 * else under {@code /actuator/hawtio} and all of Jolokia needs the admin role.
 */
final class HawtioAccess {

    static final String[] ANONYMOUS_LOGIN_PATHS = {
        "/actuator/hawtio/auth/**",
        "/actuator/hawtio/login",
        "/actuator/hawtio/keycloak/**",
        "/actuator/hawtio/oidc/**",
        "/actuator/hawtio/presets",
        "/actuator/hawtio/proxy/enabled",
        "/actuator/hawtio/hawtconfig.json",
        "/actuator/hawtio/static/**",
        "/actuator/hawtio/img/**",
        "/actuator/hawtio/favicon.ico",
        "/actuator/hawtio/index.html",
        "/actuator/hawtio",
        "/actuator/hawtio/",
    };

    /** Hawtio's login form posts JSON without Spring's CSRF token. */
    static final String[] CSRF_EXEMPT_PATHS = {
        "/actuator/hawtio/auth/login",
        "/actuator/hawtio/auth/logout",
    };

    private HawtioAccess() {
    }
}
