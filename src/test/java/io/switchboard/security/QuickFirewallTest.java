package io.switchboard.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;

import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.security.web.firewall.RequestRejectedException;

class QuickFirewallTest {

    /** StrictHttpFirewall's own pattern for names and values. */
    private static final Pattern STRICT = Pattern.compile("[\\p{IsAssigned}&&[^\\p{IsControl}]]*");

    @Test
    void theQuickCheckAgreesWithTheFirewallsRegexOnEveryKindOfValue() {
        List<String> samples = List.of("", "Bearer abc.def", "application/json; charset=utf-8", "caf\u00e9",
                "\u65e5\u672c", "emoji \ud83d\ude00", "tab\there", "bell\u0007", "del\u007f", "c1\u0085",
                "lone \ud800 surrogate", "unassigned \u0378", "nbsp\u00a0", "zero width\u200b");
        for (String sample : samples) {
            assertThat(QuickFirewall.assignedAndNotControl(sample)).as(sample).isEqualTo(STRICT.matcher(sample).matches());
        }
        Random random = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            StringBuilder value = new StringBuilder();
            for (int n = random.nextInt(6); n > 0; n--) {
                value.appendCodePoint(random.nextInt(4) == 0 ? random.nextInt(0x110000) : random.nextInt(0x300));
            }
            String sample = value.toString();
            assertThat(QuickFirewall.assignedAndNotControl(sample)).as("U+" + sample.codePoints()
                    .mapToObj(Integer::toHexString).toList()).isEqualTo(STRICT.matcher(sample).matches());
        }
    }

    @Test
    void aHeaderWithAControlCharacterIsStillRejected() {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/api/events");
        request.addHeader("X-Forged", "value\u0007");
        var firewalled = QuickFirewall.create().getFirewalledRequest(request);

        Assertions.assertThatThrownBy(() -> firewalled.getHeader("X-Forged"))
                .isInstanceOf(RequestRejectedException.class);
    }
}
