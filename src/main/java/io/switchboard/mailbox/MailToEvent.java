package io.switchboard.mailbox;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.InternetAddress;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.component.mail.MailMessage;

/**
 * Turns the mail camel-mail read into what {@link io.switchboard.source.SourceIntake} stores: the
 * JSON payload ({@link MailPayload}), the delivery id ({@link MailDeliveryIds}) and the few
 * headers the route sees ({@code mail-from}, {@code mail-subject}, {@code mail-message-id},
 * {@code mail-folder}).
 */
final class MailToEvent implements Processor {

    static final String DELIVERY_ID = "SwitchboardMailDeliveryId";
    static final String HEADERS = "SwitchboardMailHeaders";

    @Override
    public void process(Exchange exchange) throws MessagingException {
        Message mail = exchange.getIn(MailMessage.class).getOriginalMessage();
        String[] messageIds = mail.getHeader("Message-ID");
        String messageId = messageIds == null || messageIds.length == 0 ? null : messageIds[0].strip();
        String deliveryId = MailDeliveryIds.of(mail);
        byte[] payload = MailPayload.of(mail, messageId);
        Map<String, String> headers = new LinkedHashMap<>();
        putIfSet(headers, "mail-from", sender(mail.getFrom()));
        putIfSet(headers, "mail-subject", mail.getSubject());
        putIfSet(headers, "mail-message-id", messageId);
        putIfSet(headers, "mail-folder", mail.getFolder() == null ? null : mail.getFolder().getFullName());
        exchange.setProperty(DELIVERY_ID, deliveryId);
        exchange.setProperty(HEADERS, headers);
        exchange.getMessage().setBody(payload);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
    }

    private static String sender(Address[] from) {
        if (from == null || from.length == 0) {
            return null;
        }
        return from[0] instanceof InternetAddress address ? address.getAddress().toLowerCase(Locale.ROOT)
                : from[0].toString();
    }

    private static void putIfSet(Map<String, String> headers, String name, String value) {
        if (value != null && !value.isBlank()) {
            headers.put(name, value);
        }
    }
}
