package io.switchboard.sandbox;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpStatus;

/** The answer of a stand-in's API while that stand-in is switched off. */
final class StandInsOff {

    private StandInsOff() {
    }

    static <T> T require(ObjectProvider<T> standIn, String name) {
        T running = standIn.getIfAvailable();
        if (running == null) {
            throw new SandboxError(HttpStatus.NOT_FOUND, "stand_in_off", "The sandbox's " + name + " is off "
                    + "(switchboard.sandbox.stand-ins." + name + ".enabled)");
        }
        return running;
    }
}
