package io.switchboard.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;

/**
 * The stand-ins' credentials are settled before binding, for the demo only: a generated password
 * fills the connection's variable and the stand-in's own setting alike, a set variable is kept,
 * a port of 0 becomes a real one, and the postgres and cluster profiles get nothing.
 */
class StandInSecretsTest {

    @Test
    void anEnabledStandInGetsAGeneratedPasswordSharedWithItsConnectionAndARealPort() {
        MockEnvironment environment = demo().withProperty("switchboard.sandbox.stand-ins.broker.enabled", "true")
                .withProperty("switchboard.sandbox.stand-ins.broker.port", "0");

        new StandInSecrets().postProcessEnvironment(environment, null);

        String password = environment.getProperty("SHOP_BROKER_PASSWORD");
        assertThat(password).hasSizeGreaterThanOrEqualTo(24);
        assertThat(environment.getProperty("switchboard.sandbox.stand-ins.broker.password")).isEqualTo(password);
        assertThat(environment.getProperty("switchboard.sandbox.stand-ins.broker.port", Integer.class)).isPositive();
        assertThat(environment.getProperty("SHOP_DB_PASSWORD")).as("shop-db is off").isNull();
    }

    @Test
    void aPasswordSetInTheEnvironmentIsKept() {
        MockEnvironment environment = demo().withProperty("switchboard.sandbox.stand-ins.shop-db.enabled", "true")
                .withProperty("SHOP_DB_PASSWORD", "set-by-the-operator");

        new StandInSecrets().postProcessEnvironment(environment, null);

        assertThat(environment.getProperty("SHOP_DB_PASSWORD")).isEqualTo("set-by-the-operator");
        assertThat(environment.getProperty("switchboard.sandbox.stand-ins.shop-db.password"))
                .isEqualTo("set-by-the-operator");
    }

    @Test
    void thePostgresAndClusterProfilesGetNothing() {
        for (String profile : new String[] {"postgres", "cluster"}) {
            MockEnvironment environment = demo().withProperty("switchboard.sandbox.stand-ins.broker.enabled", "true");
            environment.setActiveProfiles(profile);

            new StandInSecrets().postProcessEnvironment(environment, null);

            assertThat(environment.getProperty("SHOP_BROKER_PASSWORD")).as(profile).isNull();
            assertThat(environment.getPropertySources().contains(StandInSecrets.SOURCE)).as(profile).isFalse();
        }
    }

    @Test
    void nothingWhileTheSandboxIsOff() {
        MockEnvironment environment = new MockEnvironment()
                .withProperty("switchboard.sandbox.stand-ins.broker.enabled", "true");

        new StandInSecrets().postProcessEnvironment(environment, null);

        assertThat(environment.getProperty("SHOP_BROKER_PASSWORD")).isNull();
    }

    private static MockEnvironment demo() {
        return new MockEnvironment().withProperty("switchboard.sandbox.enabled", "true");
    }
}
