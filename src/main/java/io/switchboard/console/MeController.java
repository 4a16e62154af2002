package io.switchboard.console;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import io.switchboard.security.Role;
import org.springframework.security.access.hierarchicalroles.RoleHierarchy;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/me}: who is signed in and every role they hold, implied ones included
 * (an operator is also a viewer), so the console shows operator actions only to operators.
 * The server still checks each action; this only spares a viewer buttons that would fail.
 */
@RestController
class MeController {

    private final RoleHierarchy roles;

    MeController(RoleHierarchy roles) {
        this.roles = roles;
    }

    /** The signed-in person; roles from least to most powerful, lower case. */
    record Me(String name, List<String> roles) {
    }

    @GetMapping("/api/me")
    Me me(Authentication who) {
        Set<String> held = roles.getReachableGrantedAuthorities(who.getAuthorities()).stream()
                .map(GrantedAuthority::getAuthority)
                .collect(Collectors.toSet());
        return new Me(who.getName(), Arrays.stream(Role.values())
                .filter(role -> held.contains(role.authority()))
                .map(role -> role.name().toLowerCase(Locale.ROOT))
                .toList());
    }
}
