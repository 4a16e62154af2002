package io.switchboard.support;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The test profile's people (src/test/resources/application-test.yaml): one per role, each with
 * the password {@code <user>-test-password}, and the Basic header a client of theirs sends.
 */
public final class TestUsers {

    public static final String VIEWER = "viewer";
    public static final String OPERATOR = "operator";
    public static final String ADMIN = "admin";

    private TestUsers() {
    }

    /** The test password of a user of the test profile. */
    public static String password(String user) {
        return user + "-test-password";
    }

    /** {@code Basic <base64(user:password)>} with the user's test password. */
    public static String basic(String user) {
        return basic(user, password(user));
    }

    /** {@code Basic <base64(user:password)>}. */
    public static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
