package io.switchboard.sandbox;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /sandbox/oauth/token}: the CRM's OAuth2 token endpoint (client credentials
 * grant, RFC 6749 section 4.4), with the client's id and secret in the form
 * ({@code client_secret_post}). Grants the requested scopes when the client may have them,
 * all of its scopes when it asks for none.
 */
@SandboxEnabled
@RestController
class OAuthTokenController {

    private final SandboxProperties properties;
    private final SandboxTokens tokens;
    private final SandboxGrants grants;

    OAuthTokenController(SandboxProperties properties, SandboxTokens tokens, SandboxGrants grants) {
        this.properties = properties;
        this.tokens = tokens;
        this.grants = grants;
    }

    @PostMapping(path = "/sandbox/oauth/token", consumes = MediaType.APPLICATION_FORM_URLENCODED_VALUE)
    ResponseEntity<Map<String, Object>> token(@RequestParam MultiValueMap<String, String> form) {
        String grantType = form.getFirst("grant_type");
        if ("authorization_code".equals(grantType) || "refresh_token".equals(grantType)) {
            return appToken(grantType, form);
        }
        if (!"client_credentials".equals(grantType)) {
            return error("unsupported_grant_type", "grant_type may be client_credentials, authorization_code or "
                    + "refresh_token");
        }
        var crm = properties.crm();
        String clientId = form.getFirst("client_id");
        String secret = form.getFirst("client_secret");
        if (crm.clientId() == null || crm.clientSecret() == null || clientId == null
                || !SandboxAccess.same(clientId, crm.clientId()) || !SandboxAccess.same(secret, crm.clientSecret())) {
            return error("invalid_client", "Unknown client or wrong secret (send client_id and client_secret in the form)");
        }
        if (tokens.isRevoked(clientId)) {
            return error("invalid_client", "This client has been revoked");
        }
        String requested = form.getFirst("scope");
        Set<String> scopes = requested == null || requested.isBlank() ? new LinkedHashSet<>(crm.scopes())
                : new LinkedHashSet<>(Arrays.asList(requested.trim().split("\\s+")));
        for (String scope : scopes) {
            if (!crm.scopes().contains(scope)) {
                return error("invalid_scope", "This client may not have the scope " + scope);
            }
        }
        SandboxTokens.Issued issued = tokens.issue(clientId, scopes);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("access_token", issued.accessToken());
        body.put("token_type", "Bearer");
        body.put("expires_in", issued.expiresIn());
        body.put("scope", String.join(" ", issued.scopes()));
        return ResponseEntity.ok().cacheControl(CacheControl.noStore()).header("Pragma", "no-cache").body(body);
    }

    /**
     * A connected app's tokens: for an authorization code (with its PKCE verifier), or for a
     * refresh token, which is rotated: the answer carries a new one, and the old one is spent.
     */
    private ResponseEntity<Map<String, Object>> appToken(String grantType, MultiValueMap<String, String> form) {
        String clientId = form.getFirst("client_id");
        SandboxProperties.App app = clientId == null ? null : properties.oauth().apps().get(clientId);
        if (app == null || app.secret() == null || !SandboxAccess.same(form.getFirst("client_secret"), app.secret())) {
            return error("invalid_client", "Unknown app or wrong secret (send client_id and client_secret in the form)");
        }
        StringBuilder why = new StringBuilder();
        var grant = "authorization_code".equals(grantType)
                ? grants.redeem(form.getFirst("code"), clientId, form.getFirst("redirect_uri"),
                        form.getFirst("code_verifier"), why)
                : grants.rotate(form.getFirst("refresh_token"), clientId, why);
        if (grant.isEmpty()) {
            return error("invalid_grant", why.toString());
        }
        Set<String> scopes = new LinkedHashSet<>(Arrays.asList(grant.get().scopes().split(" ")));
        scopes.removeIf(String::isBlank);
        SandboxTokens.Issued issued = tokens.issue(clientId, scopes, properties.oauth().accessTokenTtl());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("access_token", issued.accessToken());
        body.put("token_type", "Bearer");
        body.put("expires_in", issued.expiresIn());
        body.put("refresh_token", grants.newRefreshToken(grant.get(), properties.oauth().refreshTokenTtl()));
        body.put("scope", String.join(" ", issued.scopes()));
        return ResponseEntity.ok().cacheControl(CacheControl.noStore()).header("Pragma", "no-cache").body(body);
    }

    /**
     * Token revocation (RFC 7009) for the connected apps: a refresh token ends its whole grant
     * and the app's access tokens; an unknown token is answered 200 as the RFC says.
     */
    @PostMapping(path = "/sandbox/oauth/revoke", consumes = MediaType.APPLICATION_FORM_URLENCODED_VALUE)
    ResponseEntity<Map<String, Object>> revoke(@RequestParam MultiValueMap<String, String> form) {
        String clientId = form.getFirst("client_id");
        SandboxProperties.App app = clientId == null ? null : properties.oauth().apps().get(clientId);
        if (app == null || app.secret() == null || !SandboxAccess.same(form.getFirst("client_secret"), app.secret())) {
            return ResponseEntity.status(HttpStatus.UNAUTHORIZED).body(Map.of("error", "invalid_client",
                    "error_description", "Unknown app or wrong secret"));
        }
        if (grants.revokeByToken(form.getFirst("token"), clientId)) {
            tokens.forget(clientId);
        }
        return ResponseEntity.ok(Map.of());
    }

    private static ResponseEntity<Map<String, Object>> error(String error, String description) {
        return ResponseEntity.status(HttpStatus.BAD_REQUEST).cacheControl(CacheControl.noStore())
                .body(Map.of("error", error, "error_description", description));
    }
}
