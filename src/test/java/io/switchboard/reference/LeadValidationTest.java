package io.switchboard.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import io.switchboard.reliability.InvalidDataException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class LeadValidationTest {

    private final LeadValidation validation = new LeadValidation();

    @ParameterizedTest
    @ValueSource(strings = {"ada@analytical-engines.co.uk", "grace.hopper+leads@navy.mil", "o'brien@acme.io",
            "x@sub.domain.travel"})
    void plausibleAddressesPass(String email) {
        assertThat(validation.problems(Map.of("submissionId", "s-1", "email", email))).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"no-at-sign", "two@@signs.com", "@nolocal.com", "trailing@", "dots..in@acme.com",
            "ada@localhost", "ada@acme", "ada@acme.123", "ada@example.com", "ada@shop.test", "ada@gmial.com",
            "ada@-bad-.com", "spaces in@acme.com"})
    void implausibleAddressesAreNamed(String email) {
        assertThat(validation.problems(Map.of("submissionId", "s-1", "email", email)))
                .singleElement().asString().contains("email");
    }

    @Test
    void missingFieldsAreAllNamedInOneInvalidDataFailure() {
        assertThatThrownBy(() -> validation.validate(Map.of("firstName", "Ada")))
                .isInstanceOf(InvalidDataException.class)
                .hasMessageContaining("submissionId is missing")
                .hasMessageContaining("email is missing");
    }

    @Test
    void typoIsExplained() {
        assertThat(validation.problems(Map.of("submissionId", "s", "email", "ada@gmial.com")))
                .containsExactly("email domain 'gmial.com' looks like a typo of gmail.com");
    }
}
