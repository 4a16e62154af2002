package io.switchboard.support;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.security.Browserless;
import org.springframework.web.util.HtmlUtils;

/**
 * "Connect account" without a browser, through the real endpoints: an operator's console
 * session starts Connect (a POST with its CSRF token), approves on the sandbox's consent page, and the provider's redirect
 * lands on the callback with that session, as a browser would do it; the callback's page says
 * where the browser goes on to.
 */
public final class ChatConnect {

    private static final Pattern HIDDEN = Pattern.compile("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\">");

    private ChatConnect() {
    }

    /** Approves on the sandbox's consent page at {@code consent}; the callback URL the provider sends the browser to. */
    public static URI approve(Browserless session, URI consent) throws Exception {
        HttpResponse<String> page = session.send(HttpRequest.newBuilder(consent));
        Map<String, String> form = new LinkedHashMap<>();
        Matcher field = HIDDEN.matcher(page.body());
        while (field.find()) {
            form.put(field.group(1), HtmlUtils.htmlUnescape(field.group(2)));
        }
        if (form.isEmpty()) {
            throw new IllegalStateException("no consent form: " + page.statusCode() + " " + page.body());
        }
        form.put("decision", "approve");
        StringBuilder body = new StringBuilder();
        form.forEach((name, value) -> body.append(body.length() == 0 ? "" : "&").append(name).append('=')
                .append(URLEncoder.encode(value, StandardCharsets.UTF_8)));
        HttpResponse<String> decided = session.send(HttpRequest.newBuilder(consent.resolve("/sandbox/oauth/authorize"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())));
        return URI.create(decided.headers().firstValue("Location").orElseThrow(() ->
                new IllegalStateException("consent answered " + decided.statusCode() + ": " + decided.body())));
    }

    /**
     * Starts Connect as the console does: a POST with the session's CSRF token, answered with
     * the provider's consent page ({@code {"location": ...}}) and the binding cookie.
     */
    public static HttpResponse<String> start(Browserless session, String connection) throws Exception {
        return session.send(HttpRequest.newBuilder(session.uri("/api/connections/" + connection + "/authorize"))
                .header("X-XSRF-TOKEN", session.xsrfToken()).header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.noBody()));
    }

    /** The consent page a started Connect answered. */
    public static URI consentPage(HttpResponse<String> started) throws Exception {
        if (started.statusCode() != 200) {
            throw new IllegalStateException("Connect answered " + started.statusCode() + ": " + started.body());
        }
        return URI.create(new ObjectMapper().readTree(started.body()).path("location")
                .asText());
    }

    /** Where the callback's page sends the browser, e.g. {@code /console#/connections?connection=chat&connected}. */
    public static String connect(String base, String connection, String user, String password) throws Exception {
        Browserless session = new Browserless(base);
        if (session.logIn(user, password) != 302) {
            throw new IllegalStateException("cannot log in as " + user);
        }
        URI callback = approve(session, consentPage(start(session, connection)));
        return continueTo(session.send(HttpRequest.newBuilder(callback)));
    }

    private static final Pattern CONTINUE = Pattern.compile("<a data-testid=\"connect-continue\" href=\"([^\"]+)\">");

    /**
     * Where the callback's page goes on to, e.g. {@code /console#/connections?connection=chat&connected}:
     * a page, not a redirect, so that the browser's next request is a same-site one.
     */
    public static String continueTo(HttpResponse<String> callback) {
        Matcher link = CONTINUE.matcher(callback.body());
        if (callback.statusCode() != 200 || !link.find()) {
            throw new IllegalStateException("callback answered " + callback.statusCode() + ": " + callback.body());
        }
        return HtmlUtils.htmlUnescape(link.group(1));
    }
}
