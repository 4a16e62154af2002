package io.switchboard;

import org.junit.jupiter.api.Test;
import org.springframework.modulith.core.ApplicationModules;

/**
 * The packages are the product's modules (ingress, inbox, connect, incident, ...): Spring
 * Modulith checks that no two of them depend on each other in a cycle, so every dependency
 * stays one-way and visible in the imports.
 */
class ApplicationModulesTest {

    @Test
    void thePackagesDependOnEachOtherWithoutCycles() {
        ApplicationModules.of(SwitchboardApplication.class).verify();
    }
}
