package io.switchboard.mailbox;

import java.io.IOException;
import java.io.InputStream;
import java.io.UnsupportedEncodingException;
import java.util.Date;
import java.util.Locale;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.mail.Address;
import jakarta.mail.FolderClosedException;
import jakarta.mail.Message;
import jakarta.mail.MessageRemovedException;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.StoreClosedException;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeUtility;

/**
 * An e-mail as the event a mailbox integration's route receives: sender, recipients, subject,
 * date, Message-ID, the text body (the HTML body only when there is no text), and for each
 * attachment its name, content type and size in bytes, never its content (a route that needs
 * the files reads them from the mailbox; the journal stays small and free of documents).
 * A part that cannot be decoded is listed with the reason rather than failing the mail, so one
 * odd attachment does not keep a mail unread forever; a lost connection to the mail server does
 * fail it, since the mail would be stored incomplete.
 */
final class MailPayload {

    private static final ObjectMapper JSON = new ObjectMapper();

    private MailPayload() {
    }

    static byte[] of(Message message, String messageId) throws MessagingException {
        ObjectNode mail = JSON.createObjectNode();
        mail.put("from", first(message.getFrom()));
        mail.set("to", addresses(message.getRecipients(Message.RecipientType.TO)));
        mail.set("cc", addresses(message.getRecipients(Message.RecipientType.CC)));
        mail.put("subject", message.getSubject());
        Date sent = message.getSentDate();
        mail.put("date", sent == null ? null : sent.toInstant().toString());
        mail.put("messageId", messageId);
        Bodies bodies = new Bodies(JSON.createArrayNode());
        walk(message, bodies);
        mail.put("text", bodies.text);
        if (bodies.text == null && bodies.html != null) {
            mail.put("html", bodies.html);
        }
        mail.set("attachments", bodies.attachments);
        try {
            return JSON.writeValueAsBytes(mail);
        } catch (IOException cannotHappenForATree) {
            throw new IllegalStateException(cannotHappenForATree);
        }
    }

    /** What the walk over the MIME tree found. */
    private static final class Bodies {
        private final ArrayNode attachments;
        private String text;
        private String html;

        private Bodies(ArrayNode attachments) {
            this.attachments = attachments;
        }
    }

    private static void walk(Part part, Bodies found) throws MessagingException {
        try {
            if (part.isMimeType("multipart/*")) {
                Multipart parts = (Multipart) part.getContent();
                for (int i = 0; i < parts.getCount(); i++) {
                    walk(parts.getBodyPart(i), found);
                }
            } else if (isAttachment(part)) {
                found.attachments.add(attachment(part));
            } else if (part.isMimeType("text/plain") && found.text == null) {
                found.text = String.valueOf(part.getContent());
            } else if (part.isMimeType("text/html") && found.html == null) {
                found.html = String.valueOf(part.getContent());
            } else {
                found.attachments.add(attachment(part));
            }
        } catch (FolderClosedException | StoreClosedException | MessageRemovedException connectionLost) {
            throw connectionLost;
        } catch (MessagingException | IOException | RuntimeException unreadable) {
            ObjectNode entry = found.attachments.addObject();
            entry.put("name", safeName(part));
            entry.put("contentType", safeType(part));
            entry.put("error", "unreadable: " + unreadable.getClass().getSimpleName() + ": " + unreadable.getMessage());
        }
    }

    private static boolean isAttachment(Part part) throws MessagingException {
        return Part.ATTACHMENT.equalsIgnoreCase(part.getDisposition()) || part.getFileName() != null;
    }

    private static ObjectNode attachment(Part part) throws MessagingException, IOException {
        ObjectNode entry = JSON.createObjectNode();
        entry.put("name", safeName(part));
        entry.put("contentType", safeType(part));
        entry.put("size", decodedSize(part));
        return entry;
    }

    /** The bytes of the decoded content: the encoded size an IMAP server reports is a third larger for base64. */
    private static long decodedSize(Part part) throws MessagingException, IOException {
        long size = 0;
        byte[] buffer = new byte[8192];
        try (InputStream content = part.getInputStream()) {
            for (int read = content.read(buffer); read >= 0; read = content.read(buffer)) {
                size += read;
            }
        }
        return size;
    }

    private static String safeName(Part part) {
        try {
            String name = part.getFileName();
            return name == null ? null : MimeUtility.decodeText(name);
        } catch (MessagingException | UnsupportedEncodingException | RuntimeException undecodable) {
            return null;
        }
    }

    private static String safeType(Part part) {
        try {
            return new ContentType(part.getContentType()).getBaseType().toLowerCase(Locale.ROOT);
        } catch (MessagingException | RuntimeException unparsable) {
            return "application/octet-stream";
        }
    }

    private static String first(Address[] addresses) {
        return addresses == null || addresses.length == 0 ? null : text(addresses[0]);
    }

    private static ArrayNode addresses(Address[] addresses) {
        ArrayNode list = JSON.createArrayNode();
        if (addresses != null) {
            for (Address address : addresses) {
                list.add(text(address));
            }
        }
        return list;
    }

    /** {@code Ada Lovelace <ada@example.com>} with the name decoded, as a person reads it. */
    private static String text(Address address) {
        return address instanceof InternetAddress internet ? internet.toUnicodeString() : address.toString();
    }
}
