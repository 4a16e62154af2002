package io.switchboard;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.TestPropertySource;

/**
 * The one Spring context most tests share: the whole server on a random port with an
 * in-memory H2 database and the real {@code routes/} and {@code config/} folders.
 * Keeping every test on the same annotations lets Spring reuse the context. Camel Test's
 * {@code @CamelSpringBootTest} is left out on purpose: it switches off the Camel MBeans
 * globally, and Hawtio's Camel tree needs them.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@SpringBootTest(classes = SwitchboardApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
@AutoConfigureObservability
@TestPropertySource(locations = "classpath:test-overrides.properties")
public @interface SwitchboardTest {
}
