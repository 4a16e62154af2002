package io.switchboard.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which path segments the API-key path answers itself; every other one goes through the secured chain's firewall. */
class ApiCallsTest {

    @Test
    void plainAddressesPassAndEncodedAtSignsToo() {
        assertThat(ApiCalls.plainSegment("ada@example.com")).isTrue();
        assertThat(ApiCalls.plainSegment("ada%40example.com")).isTrue();
        assertThat(ApiCalls.plainSegment("ada+tag@example.com")).isTrue();
    }

    @Test
    void separatorsDotSegmentsPercentSignsAndControlCharactersRawOrEncodedAreLeftToTheChain() {
        for (String odd : new String[] {"", ".", "..", "a/b", "a\\b", "a;b", "a b", "a%2Fb", "a%2fb", "a%5Cb",
                "a%3Bb", "%2e%2e", "a%25b", "a%00b", "a%0db", "a%0Ab", "a%09b", "a%7Fb", "a%", "a%4", "a%zz",
                "caf\u00e9@example.com", "a".repeat(513)}) {
            assertThat(ApiCalls.plainSegment(odd)).as(odd).isFalse();
        }
    }
}
