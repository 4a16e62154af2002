package io.switchboard.sandbox;

import java.net.URI;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.HtmlUtils;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * The sandbox provider's consent page, {@code GET /sandbox/oauth/authorize} (RFC 6749 section
 * 4.1 with PKCE, RFC 7636): the app's name and the scopes it asks for, Approve or Deny. A
 * client or redirect URI it does not know is answered here, never by a redirect (an open
 * redirector otherwise); other mistakes go back to the app as {@code error=...}.
 */
@SandboxEnabled
@RestController
class OAuthAuthorizeController {

    private final SandboxProperties properties;
    private final SandboxGrants grants;

    OAuthAuthorizeController(SandboxProperties properties, SandboxGrants grants) {
        this.properties = properties;
        this.grants = grants;
    }

    @GetMapping(value = "/sandbox/oauth/authorize", produces = MediaType.TEXT_HTML_VALUE)
    ResponseEntity<String> consent(@RequestParam(name = "client_id", required = false) String clientId,
            @RequestParam(name = "redirect_uri", required = false) String redirectUri,
            @RequestParam(name = "response_type", required = false) String responseType,
            @RequestParam(required = false) String scope, @RequestParam(required = false) String state,
            @RequestParam(name = "code_challenge", required = false) String challenge,
            @RequestParam(name = "code_challenge_method", required = false) String method) {
        SandboxProperties.App app = clientId == null ? null : properties.oauth().apps().get(clientId);
        if (app == null || redirectUri == null || !app.allowsRedirectTo(redirectUri)) {
            return page(HttpStatus.BAD_REQUEST, "<h1>Unknown app</h1><p>No app with this client_id and redirect_uri "
                    + "is registered here.</p>");
        }
        if (!"code".equals(responseType) || challenge == null || challenge.isBlank() || !"S256".equals(method)) {
            return back(redirectUri, "invalid_request", "response_type=code and a PKCE code_challenge with "
                    + "code_challenge_method=S256 are required", state);
        }
        Set<String> scopes = scopes(scope);
        if (!app.scopes().containsAll(scopes)) {
            return back(redirectUri, "invalid_scope", "this app may ask only for " + app.scopes(), state);
        }
        StringBuilder list = new StringBuilder();
        scopes.forEach(s -> list.append("<li><code>").append(HtmlUtils.htmlEscape(s)).append("</code></li>"));
        String hidden = hidden("client_id", clientId) + hidden("redirect_uri", redirectUri)
                + hidden("scope", String.join(" ", scopes)) + hidden("state", state == null ? "" : state)
                + hidden("code_challenge", challenge);
        return page(HttpStatus.OK, "<h1>" + HtmlUtils.htmlEscape(app.name()) + " wants to use your account</h1>"
                + "<p>It asks for:</p><ul data-testid=\"consent-scopes\">" + list + "</ul>"
                + "<form method=\"post\" action=\"/sandbox/oauth/authorize\">" + hidden
                + "<button name=\"decision\" value=\"approve\" data-testid=\"consent-approve\">Approve</button> "
                + "<button name=\"decision\" value=\"deny\" data-testid=\"consent-deny\">Deny</button></form>");
    }

    @PostMapping("/sandbox/oauth/authorize")
    ResponseEntity<String> decide(@RequestParam("client_id") String clientId,
            @RequestParam("redirect_uri") String redirectUri, @RequestParam(required = false) String scope,
            @RequestParam(required = false) String state, @RequestParam("code_challenge") String challenge,
            @RequestParam String decision) {
        SandboxProperties.App app = properties.oauth().apps().get(clientId);
        if (app == null || !app.allowsRedirectTo(redirectUri)) {
            return page(HttpStatus.BAD_REQUEST, "<h1>Unknown app</h1>");
        }
        if (!"approve".equals(decision)) {
            return back(redirectUri, "access_denied", "the user denied the request", state);
        }
        Set<String> scopes = scopes(scope);
        if (!app.scopes().containsAll(scopes)) {
            return back(redirectUri, "invalid_scope", "this app may ask only for " + app.scopes(), state);
        }
        String code = grants.newCode(clientId, redirectUri, String.join(" ", scopes), challenge);
        UriComponentsBuilder target = UriComponentsBuilder.fromUriString(redirectUri).queryParam("code", code);
        if (state != null && !state.isEmpty()) {
            target.queryParam("state", state);
        }
        return ResponseEntity.status(HttpStatus.FOUND).location(target.encode().build().toUri()).build();
    }

    private static Set<String> scopes(String scope) {
        return scope == null || scope.isBlank() ? new LinkedHashSet<>()
                : new LinkedHashSet<>(Arrays.asList(scope.trim().split("\\s+")));
    }

    private static ResponseEntity<String> back(String redirectUri, String error, String description, String state) {
        UriComponentsBuilder target = UriComponentsBuilder.fromUriString(redirectUri).queryParam("error", error)
                .queryParam("error_description", description);
        if (state != null && !state.isEmpty()) {
            target.queryParam("state", state);
        }
        URI location = target.encode().build().toUri();
        return ResponseEntity.status(HttpStatus.FOUND).location(location).build();
    }

    private static String hidden(String name, String value) {
        return "<input type=\"hidden\" name=\"" + name + "\" value=\"" + HtmlUtils.htmlEscape(value) + "\">";
    }

    private static ResponseEntity<String> page(HttpStatus status, String body) {
        return ResponseEntity.status(status).contentType(MediaType.TEXT_HTML).body("<!DOCTYPE html><html lang=\"en\">"
                + "<head><meta charset=\"utf-8\"><title>Sandbox sign-in</title></head><body>" + body + "</body></html>");
    }
}
