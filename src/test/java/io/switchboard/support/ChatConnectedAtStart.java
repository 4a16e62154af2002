package io.switchboard.support;

import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Profile;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * The shared test server's team chat is connected once, as an operator would do it on first
 * start, so tests that are not about Connect find it connected. Tests about Connect disconnect
 * it and connect it again themselves.
 */
@Component
@Profile("test")
class ChatConnectedAtStart implements ApplicationListener<ApplicationReadyEvent> {

    @Override
    public void onApplicationEvent(ApplicationReadyEvent ready) {
        Environment environment = ready.getApplicationContext().getEnvironment();
        String port = environment.getProperty("local.server.port");
        if (port == null) {
            return; // a context without a web server
        }
        try {
            ChatConnect.connect("http://localhost:" + port, "chat", "operator", "operator-test-password");
        } catch (Exception e) {
            throw new IllegalStateException("could not connect the test server's chat", e);
        }
    }
}
