package io.switchboard.sandbox;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /sandbox/faults} (admin): make a simulated system misbehave for its next calls,
 * e.g. {@code {"system":"crm","status":503,"count":5,"retryAfter":2,"delayMs":0}}; also
 * {@code "revokeClient":true} (the CRM's OAuth client is refused and its tokens die),
 * {@code "expireTokens":true}, and {@code "rateLimit":n} for the CRM. {@code DELETE} clears all.
 */
@SandboxEnabled
@RestController
class FaultsController {

    private final SandboxFaults faults;
    private final SandboxTokens tokens;
    private final SandboxRateLimit rateLimit;
    private final SandboxProperties properties;

    private final SandboxGrants grants;

    FaultsController(SandboxFaults faults, SandboxTokens tokens, SandboxRateLimit rateLimit,
            SandboxProperties properties, SandboxGrants grants) {
        this.grants = grants;
        this.faults = faults;
        this.tokens = tokens;
        this.rateLimit = rateLimit;
        this.properties = properties;
    }

    /** A fault to inject; {@code system} is one of crm, oauth (the token endpoint), mail, billing, chat. */
    record FaultRequest(String system, Integer status, Integer count, Integer retryAfter, Integer delayMs, String scope,
            Boolean revokeClient, Boolean expireTokens, Integer rateLimit, Boolean revokeGrants) {
    }

    @PostMapping("/sandbox/faults")
    ResponseEntity<Map<String, Object>> inject(@RequestBody FaultRequest fault) {
        SandboxAccess.requireAdmin();
        if (fault.system() == null || !SandboxFaults.SYSTEMS.contains(fault.system())) {
            throw SandboxError.badRequest("invalid_fault", "system must be one of " + SandboxFaults.SYSTEMS);
        }
        boolean any = false;
        int delay = fault.delayMs() == null ? 0 : fault.delayMs();
        if (fault.status() != null || delay > 0) {
            if (fault.status() != null && (fault.status() < 100 || fault.status() > 599)) {
                throw SandboxError.badRequest("invalid_fault", "status must be an HTTP status");
            }
            int count = fault.count() == null ? 1 : fault.count();
            if (count < 1 || delay < 0 || delay > 120_000) {
                throw SandboxError.badRequest("invalid_fault", "count must be at least 1 and delayMs 0 to 120000");
            }
            faults.add(fault.system(), fault.status(), count, fault.retryAfter(), delay, fault.scope());
            any = true;
        }
        if (Boolean.TRUE.equals(fault.revokeClient())) {
            tokens.revoke(properties.crm().clientId());
            any = true;
        }
        if (Boolean.TRUE.equals(fault.expireTokens())) {
            tokens.expireAll();
            any = true;
        }
        if (Boolean.TRUE.equals(fault.revokeGrants())) {
            // Every connected app's grant: each refresh answers invalid_grant until it connects again.
            grants.revokeAll();
            // As a real provider does on revocation, the apps' access tokens stop working too.
            properties.oauth().apps().keySet().forEach(tokens::forget);
            any = true;
        }
        if (fault.rateLimit() != null) {
            rateLimit.set(fault.rateLimit());
            any = true;
        }
        if (!any) {
            throw SandboxError.badRequest("invalid_fault",
                    "Say what to do: status, delayMs, revokeClient, expireTokens, revokeGrants or rateLimit");
        }
        return ResponseEntity.status(HttpStatus.CREATED).body(state());
    }

    @GetMapping("/sandbox/faults")
    Map<String, Object> list() {
        SandboxAccess.requireAdmin();
        return state();
    }

    @DeleteMapping("/sandbox/faults")
    ResponseEntity<Void> clear() {
        SandboxAccess.requireAdmin();
        faults.clear();
        tokens.unrevokeAll();
        rateLimit.reset();
        return ResponseEntity.noContent().build();
    }

    private Map<String, Object> state() {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("faults", faults.all());
        state.put("clientRevoked", properties.crm().clientId() != null && tokens.isRevoked(properties.crm().clientId()));
        state.put("crmRateLimit", rateLimit.current());
        return state;
    }
}
