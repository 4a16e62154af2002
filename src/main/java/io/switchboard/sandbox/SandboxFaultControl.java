package io.switchboard.sandbox;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.stereotype.Component;

/**
 * The sandbox's faults: a simulated system answers its next calls with a status, late, with
 * its client or grants revoked, its tokens expired, or a lower rate limit, until cleared.
 */
@SandboxEnabled
@Component
public class SandboxFaultControl {

    private final SandboxFaults faults;
    private final SandboxTokens tokens;
    private final SandboxRateLimit rateLimit;
    private final SandboxProperties properties;
    private final SandboxGrants grants;

    SandboxFaultControl(SandboxFaults faults, SandboxTokens tokens, SandboxRateLimit rateLimit,
            SandboxProperties properties, SandboxGrants grants) {
        this.grants = grants;
        this.faults = faults;
        this.tokens = tokens;
        this.rateLimit = rateLimit;
        this.properties = properties;
    }

    /** A fault to inject; {@code system} is one of crm, oauth (the token endpoint), mail, billing, chat. */
    /**
     * A fault to inject; {@code system} is one of crm, oauth (the token endpoint), mail, billing,
     * chat. With {@code match}, a status or delay fault meets only calls whose query or body
     * contain that text (a drill's own calls), never anyone else's.
     */
    public record Fault(String system, Integer status, Integer count, Integer retryAfter, Integer delayMs, String scope,
            Boolean revokeClient, Boolean expireTokens, Integer rateLimit, Boolean revokeGrants, String match) {

        /** {@code count} answers of {@code status} from {@code system}, to calls that mention {@code match}. */
        public static Fault status(String system, int status, int count, Integer retryAfter, String scope, String match) {
            return new Fault(system, status, count, retryAfter, null, scope, null, null, null, null, match);
        }

        public static Fault expireTokens(String system) {
            return new Fault(system, null, null, null, null, null, null, true, null, null, null);
        }

        public static Fault revokeClient(String system) {
            return new Fault(system, null, null, null, null, null, true, null, null, null, null);
        }
    }

    /** Injects the fault; a {@link SandboxError} (400) says what is wrong with it. */
    public void inject(Fault fault) {
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
            if (fault.match() != null && (fault.match().isBlank() || fault.match().length() > 200)) {
                throw SandboxError.badRequest("invalid_fault", "match must be 1 to 200 characters");
            }
            faults.add(fault.system(), fault.status(), count, fault.retryAfter(), delay, fault.scope(), fault.match());
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
    }

    /** Every fault cleared, the CRM client no longer revoked, the rate limit as configured. */
    public void clear() {
        faults.clear();
        tokens.unrevokeAll();
        rateLimit.reset();
    }

    Map<String, Object> state() {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("faults", faults.all());
        state.put("clientRevoked", properties.crm().clientId() != null && tokens.isRevoked(properties.crm().clientId()));
        state.put("crmRateLimit", rateLimit.current());
        return state;
    }
}
