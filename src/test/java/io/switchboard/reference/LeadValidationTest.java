package io.switchboard.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.reliability.InvalidDataException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LeadValidationTest {

    private final LeadValidation validation = new LeadValidation(new ObjectMapper());

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
    void leadAsSentIsParkedAsInvalidDataNamingTheSubmissionAndTheProblem() {
        assertThatThrownBy(() -> validation.validate("{\"submissionId\":\"s-9\",\"email\":\"ada@shop.test\"}"))
                .isInstanceOf(InvalidDataException.class)
                .hasMessageContaining("lead s-9 needs review")
                .hasMessageContaining("reserved for tests");
    }

    @Test
    void plausibleLeadAsSentPasses() throws Exception {
        validation.validate("{\"submissionId\":\"s-1\",\"email\":\" Ada@Analytical-Engines.co.uk \"}");
    }

    @Test
    void typoIsExplained() {
        assertThat(validation.problems(Map.of("submissionId", "s", "email", "ada@gmial.com")))
                .containsExactly("email domain 'gmial.com' looks like a typo of gmail.com");
    }
}
