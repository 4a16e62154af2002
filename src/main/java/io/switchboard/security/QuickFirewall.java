package io.switchboard.security;

import java.util.function.Predicate;

import org.springframework.security.web.firewall.StrictHttpFirewall;

/**
 * Spring Security's {@link StrictHttpFirewall} with the same rule for header and parameter
 * names and values (every code point assigned and not a control character), checked without a
 * regular expression: its Unicode regex over every header of every request was the largest
 * single cost of a lookup under load (see benchmarks.md). Printable ASCII passes at once; any
 * other code point is checked as the regex would.
 */
final class QuickFirewall {

    private QuickFirewall() {
    }

    static StrictHttpFirewall create() {
        StrictHttpFirewall firewall = new StrictHttpFirewall();
        Predicate<String> printable = QuickFirewall::assignedAndNotControl;
        firewall.setAllowedHeaderNames(printable);
        firewall.setAllowedHeaderValues(printable);
        firewall.setAllowedParameterNames(printable);
        firewall.setAllowedParameterValues(printable);
        return firewall;
    }

    /** {@code [\p{IsAssigned}&&[^\p{IsControl}]]*}, StrictHttpFirewall's own rule. */
    static boolean assignedAndNotControl(String value) {
        if (value == null) {
            return true;
        }
        for (int i = 0; i < value.length(); ) {
            int codePoint = value.codePointAt(i);
            if (codePoint < 0x20 || codePoint >= 0x7f) {
                if (Character.getType(codePoint) == Character.CONTROL || !Character.isDefined(codePoint)) {
                    return false;
                }
            }
            i += Character.charCount(codePoint);
        }
        return true;
    }
}
