package io.switchboard.security;

import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A logged-in console session without a browser: the form login with its CSRF token, then
 * the session cookie and the XSRF-TOKEN cookie on every request, as the console's pages send them.
 */
public final class Browserless {

    private static final Pattern CSRF_FIELD = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"");

    final CookieManager cookies = new CookieManager();
    final HttpClient http = HttpClient.newBuilder().cookieHandler(cookies).build();
    private final String base;
    HttpResponse<String> loginResponse;

    public Browserless(int port) {
        this("http://localhost:" + port);
    }

    /** A session on the server at {@code base}, e.g. {@code http://localhost:8080}. */
    public Browserless(String base) {
        this.base = base;
    }

    public URI uri(String path) {
        return URI.create(base + path);
    }

    /** Logs in through the form; returns the status of the POST (302 to the console when it worked). */
    public int logIn(String user, String password) throws Exception {
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(uri("/login")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        Matcher token = CSRF_FIELD.matcher(page.body());
        if (!token.find()) {
            throw new IllegalStateException("no _csrf field on the login page");
        }
        String form = "username=" + encode(user) + "&password=" + encode(password) + "&_csrf=" + encode(token.group(1));
        loginResponse = http.send(HttpRequest.newBuilder(uri("/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        return loginResponse.statusCode();
    }

    /** Logs in to Hawtio through its own login (JSON), which is what lets a session reach Jolokia. */
    int logInToHawtio(String user, String password) throws Exception {
        http.send(HttpRequest.newBuilder(uri("/login")).GET().build(), HttpResponse.BodyHandlers.ofString());
        return http.send(HttpRequest.newBuilder(uri("/actuator/hawtio/auth/login"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"" + user + "\",\"password\":\"" + password
                        + "\"}")).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    public String xsrfToken() {
        return cookies.getCookieStore().getCookies().stream().filter(c -> c.getName().equals("XSRF-TOKEN"))
                .map(HttpCookie::getValue).findFirst().orElseThrow();
    }

    public HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
