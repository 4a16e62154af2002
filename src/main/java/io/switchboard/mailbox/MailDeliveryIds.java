package io.switchboard.mailbox;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Enumeration;
import java.util.HexFormat;

import jakarta.mail.Folder;
import jakarta.mail.Header;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.UIDFolder;

/**
 * The inbox de-duplication key of an e-mail: its {@code Message-ID} header when it has one (the
 * same mail read again, or delivered twice, is a duplicate), else the IMAP folder's
 * {@code UIDVALIDITY} and the message's {@code UID} (unique in that folder for as long as the
 * folder keeps its UIDVALIDITY), else a digest of its raw headers. A mail without a Message-ID is
 * never a duplicate just for lacking one.
 */
final class MailDeliveryIds {

    /** The inbox's delivery_id column holds 200 characters. */
    static final int MAX_LENGTH = 200;

    private MailDeliveryIds() {
    }

    static String of(Message message) throws MessagingException {
        String[] ids = message.getHeader("Message-ID");
        if (ids != null && ids.length > 0 && ids[0] != null && !ids[0].isBlank()) {
            String messageId = ids[0].strip();
            return messageId.length() <= MAX_LENGTH ? messageId : "sha256:" + sha256(messageId);
        }
        Folder folder = message.getFolder();
        if (folder instanceof UIDFolder uids) {
            long uid = uids.getUID(message);
            if (uid > 0) {
                String where = uids.getUIDValidity() + ":" + uid;
                String id = "imap-uid:" + folder.getFullName() + ":" + where;
                return id.length() <= MAX_LENGTH ? id
                        : "imap-uid:" + sha256(folder.getFullName()).substring(0, 16) + ":" + where;
            }
        }
        StringBuilder headers = new StringBuilder();
        for (Enumeration<Header> all = message.getAllHeaders(); all.hasMoreElements();) {
            Header header = all.nextElement();
            headers.append(header.getName()).append(':').append(header.getValue()).append('\n');
        }
        return "sha256:" + sha256(headers.toString());
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException everyJvmHasIt) {
            throw new IllegalStateException(everyJvmHasIt);
        }
    }
}
