package io.switchboard.security;

import java.util.List;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/security/lockouts} (admin): the accounts and client addresses locked now after failed logins. */
@RestController
class LockoutsController {

    private final LoginThrottle throttle;

    LockoutsController(LoginThrottle throttle) {
        this.throttle = throttle;
    }

    @GetMapping("/api/security/lockouts")
    List<LoginThrottle.Lock> lockouts() {
        return throttle.activeLocks();
    }
}
