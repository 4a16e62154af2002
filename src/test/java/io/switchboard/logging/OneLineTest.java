package io.switchboard.logging;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OneLineTest {

    @Test
    void lineBreaksAndControlCharactersAreEscaped() {
        assertThat(OneLine.escape("a\nb\r\nc\u0000d\u001be\u2028f\u0085g")).isEqualTo("a\\nb\\r\\nc\\u0000d\\u001be\\u2028f\\u0085g");
    }

    @Test
    void ordinaryTextIsLeftAsItIs() {
        String text = "lead form-1 needs review:\temail's domain example.com is reserved – ü";
        assertThat(OneLine.escape(text)).isSameAs(text);
        assertThat(OneLine.escape(null)).isNull();
    }
}
