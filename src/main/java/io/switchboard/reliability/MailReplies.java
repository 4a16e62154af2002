package io.switchboard.reliability;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.mail.AuthenticationFailedException;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPSenderFailedException;

/**
 * What a mail server's reply means for the event (RFC 5321 reply codes, RFC 3463 enhanced codes):
 * 4xx says "try again later" (greylisting answers 451 on purpose), 5xx is final: a bad mailbox or
 * address is the data's fault, a refused relay or policy is a missing right, an authentication
 * reply a secret to renew.
 */
final class MailReplies {

    /** An enhanced status code, {@code 5.7.1}, as servers put it after the reply code. */
    private static final Pattern ENHANCED = Pattern.compile("\\b([245])\\.(\\d{1,3})\\.(\\d{1,3})\\b");

    private MailReplies() {
    }

    /** The category of one exception in a failure's chain, or null when it is no mail server's reply. */
    static ErrorCategory of(Throwable cause) {
        if (cause instanceof AuthenticationFailedException) {
            return ErrorCategory.CREDENTIALS;
        }
        int code = replyCode(cause);
        return code < 0 ? null : category(code, cause.getMessage());
    }

    static ErrorCategory category(int code, String reply) {
        if (code >= 400 && code < 500) {
            return ErrorCategory.TRANSIENT;
        }
        if (code < 500 || code >= 600) {
            return null;
        }
        String text = reply == null ? "" : reply.toLowerCase(Locale.ROOT);
        Matcher enhanced = ENHANCED.matcher(text);
        String detail = enhanced.find() ? enhanced.group(2) + "." + enhanced.group(3) : "";
        // 530 authentication required, 534/538 mechanism refused, 535 credentials invalid (5.7.8).
        if (code == 530 || code == 534 || code == 535 || code == 538 || detail.equals("7.8")
                || detail.equals("7.9") || (detail.equals("7.0") && text.contains("auth"))) {
            return ErrorCategory.CREDENTIALS;
        }
        // 5.7.x: security or policy (relay denied, sender not allowed); some servers only say "relay".
        if (detail.startsWith("7.") || text.contains("relay")) {
            return ErrorCategory.PERMISSION;
        }
        // 550/553 no such mailbox or a bad address, 552 mailbox full, 554 rejected content...
        return ErrorCategory.INVALID_DATA;
    }

    private static int replyCode(Throwable cause) {
        if (cause instanceof SMTPSendFailedException failed) {
            return failed.getReturnCode();
        }
        if (cause instanceof SMTPAddressFailedException address) {
            return address.getReturnCode();
        }
        if (cause instanceof SMTPSenderFailedException sender) {
            return sender.getReturnCode();
        }
        return -1;
    }
}
