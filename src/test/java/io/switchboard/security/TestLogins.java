package io.switchboard.security;

/** The test profile's users as HTTP Basic headers, for tests in other packages. */
public final class TestLogins {

    public static final String VIEWER = AccessRulesTest.basic("viewer", "viewer-test-password");
    public static final String ADMIN = AccessRulesTest.basic("admin", "admin-test-password");

    private TestLogins() {
    }
}
