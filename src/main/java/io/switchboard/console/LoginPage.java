package io.switchboard.console;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.MediaType;
import org.springframework.security.authentication.LockedException;
import org.springframework.security.web.WebAttributes;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.util.HtmlUtils;

/**
 * The console's login page, in the console's look: what went wrong (a wrong password, a
 * lock after too many failures, too many sign-ins checked at once, a logout), and on the demo
 * where the admin's password is.
 * Rendered here rather than in the browser, so the form carries its CSRF token and the page
 * needs no script.
 */
@Controller
class LoginPage {

    private final String template;
    private final boolean demo;

    LoginPage(@Value("${switchboard.sandbox.enabled:false}") boolean demo) {
        this.demo = demo;
        try {
            this.template = new ClassPathResource("console/login.html").getContentAsString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("console/login.html is part of the server", e);
        }
    }

    @GetMapping(value = "/login", produces = MediaType.TEXT_HTML_VALUE)
    @ResponseBody
    String page(HttpServletRequest request) {
        CsrfToken csrf = (CsrfToken) request.getAttribute(CsrfToken.class.getName());
        return template
                .replace("{{message}}", message(request))
                .replace("{{hint}}", demo ? "<p class=\"login-hint\" data-testid=\"login-hint\">Demo: unless "
                        + "SWITCHBOARD_ADMIN_PASSWORD is set, the admin's password was generated at first start and "
                        + "printed once in the server's log (look for \"generated the admin password\").</p>" : "")
                .replace("{{csrfParameter}}", csrf == null ? "_csrf" : HtmlUtils.htmlEscape(csrf.getParameterName()))
                .replace("{{csrfToken}}", csrf == null ? "" : HtmlUtils.htmlEscape(csrf.getToken()));
    }

    private static String message(HttpServletRequest request) {
        if (request.getParameter("logout") != null) {
            return note("login-info", "You are signed out.");
        }
        if (request.getParameter("busy") != null) {
            return note("login-error", "Too many sign-ins to this account are being checked at once; your password "
                    + "was not checked. Sign in again in a second.");
        }
        if (request.getParameter("error") == null) {
            return "";
        }
        HttpSession session = request.getSession(false);
        Object failure = session == null ? null : session.getAttribute(WebAttributes.AUTHENTICATION_EXCEPTION);
        if (failure instanceof LockedException) {
            return note("login-error", "Too many failed sign-ins: this account or address is locked for a while. "
                    + "Try again later, or ask an admin (GET /api/security/lockouts).");
        }
        return note("login-error", "Wrong user or password.");
    }

    private static String note(String testId, String text) {
        return "<p class=\"" + testId + "\" role=\"alert\" data-testid=\"" + testId + "\">" + HtmlUtils.htmlEscape(text)
                + "</p>";
    }
}
