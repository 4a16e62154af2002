package io.switchboard.sandbox;

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
 * The faults themselves are {@link SandboxFaultControl}'s, which the reliability drills use too.
 */
@SandboxEnabled
@RestController
class FaultsController {

    private final SandboxFaultControl control;

    FaultsController(SandboxFaultControl control) {
        this.control = control;
    }

    @PostMapping("/sandbox/faults")
    ResponseEntity<Map<String, Object>> inject(@RequestBody SandboxFaultControl.Fault fault) {
        SandboxAccess.requireAdmin();
        control.inject(fault);
        return ResponseEntity.status(HttpStatus.CREATED).body(control.state());
    }

    @GetMapping("/sandbox/faults")
    Map<String, Object> list() {
        SandboxAccess.requireAdmin();
        return control.state();
    }

    @DeleteMapping("/sandbox/faults")
    ResponseEntity<Void> clear() {
        SandboxAccess.requireAdmin();
        control.clear();
        return ResponseEntity.noContent().build();
    }
}
