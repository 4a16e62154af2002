package io.switchboard.logging;

/**
 * Makes a value from outside safe to put in a log line or a message that ends up in one:
 * line breaks and other control characters are written as escapes ({@code \n}, {@code \u0007}),
 * so a payload cannot start a line of its own that looks like the server's.
 */
public final class OneLine {

    private OneLine() {
    }

    public static String escape(String value) {
        if (value == null) {
            return null;
        }
        int first = firstUnsafe(value);
        if (first < 0) {
            return value;
        }
        StringBuilder out = new StringBuilder(value.length() + 16).append(value, 0, first);
        for (int i = first; i < value.length(); i++) {
            char c = value.charAt(i);
            if (!unsafe(c)) {
                out.append(c);
            } else if (c == '\n') {
                out.append("\\n");
            } else if (c == '\r') {
                out.append("\\r");
            } else {
                out.append(String.format("\\u%04x", (int) c));
            }
        }
        return out.toString();
    }

    private static int firstUnsafe(String value) {
        for (int i = 0; i < value.length(); i++) {
            if (unsafe(value.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    /** Control characters (tab excepted) and the Unicode line and paragraph separators. */
    private static boolean unsafe(char c) {
        return (c < 0x20 && c != '\t') || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029';
    }
}
