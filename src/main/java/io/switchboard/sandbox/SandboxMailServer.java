package io.switchboard.sandbox;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Date;
import java.util.List;
import java.util.Properties;
import java.util.stream.Collectors;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

/**
 * The sandbox's mail server: GreenMail in this process, SMTP and IMAP on 127.0.0.1, with one
 * mailbox whose login takes the mailbox connection's password. Anything sent to it over SMTP lands
 * in that IMAP inbox, where a {@code mailbox} trigger reads it; messages are kept in memory only.
 */
final class SandboxMailServer implements AutoCloseable {

    /** A message as it arrived, for the sandbox's API: who, what, and when. */
    record Received(String messageId, String from, List<String> to, String subject, String text, Instant receivedAt) {
    }

    private final StandInProperties.MailServer settings;
    private final GreenMail greenMail;

    private SandboxMailServer(StandInProperties.MailServer settings) {
        this.settings = settings;
        this.greenMail = new GreenMail(new ServerSetup[] {
                new ServerSetup(settings.smtpPort(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP),
                new ServerSetup(settings.imapPort(), "127.0.0.1", ServerSetup.PROTOCOL_IMAP)});
    }

    static SandboxMailServer start(StandInProperties.MailServer settings) {
        SandboxMailServer server = new SandboxMailServer(settings);
        server.greenMail.start();
        server.greenMail.setUser(settings.address(), settings.username(), settings.password());
        return server;
    }

    /** Sends a plain-text message over SMTP, as any mail client would; returns its Message-ID. */
    String send(String from, String to, String subject, String text) throws MessagingException {
        Properties properties = new Properties();
        properties.put("mail.smtp.host", "127.0.0.1");
        properties.put("mail.smtp.port", Integer.toString(settings.smtpPort()));
        properties.put("mail.smtp.connectiontimeout", "5000");
        properties.put("mail.smtp.timeout", "5000");
        MimeMessage message = new MimeMessage(Session.getInstance(properties));
        message.setFrom(new InternetAddress(from));
        message.setRecipients(Message.RecipientType.TO, InternetAddress.parse(to));
        message.setSubject(subject, "UTF-8");
        message.setText(text == null ? "" : text, "UTF-8");
        message.setSentDate(new Date());
        message.saveChanges();
        Transport.send(message);
        return message.getMessageID();
    }

    /** Every message the server received, newest first. */
    List<Received> received() throws MessagingException, IOException {
        List<Received> all = new ArrayList<>();
        for (MimeMessage message : greenMail.getReceivedMessages()) {
            all.add(new Received(message.getMessageID(), addresses(message.getFrom()).stream().findFirst().orElse(null),
                    addresses(message.getRecipients(Message.RecipientType.TO)), message.getSubject(),
                    text(message), receivedAt(message)));
        }
        all.sort(Comparator.comparing(Received::receivedAt, Comparator.nullsLast(Comparator.reverseOrder())));
        return all;
    }

    private static String text(MimeMessage message) throws MessagingException, IOException {
        Object content = message.getContent();
        return content instanceof String text ? text : GreenMailUtil.getBody(message);
    }

    private static Instant receivedAt(MimeMessage message) throws MessagingException {
        Date at = message.getReceivedDate() != null ? message.getReceivedDate() : message.getSentDate();
        return at == null ? null : at.toInstant();
    }

    private static List<String> addresses(Address[] addresses) {
        return addresses == null ? List.of() : Arrays.stream(addresses).map(Address::toString)
                .collect(Collectors.toList());
    }

    String smtpUrl() {
        return "smtp://127.0.0.1:" + settings.smtpPort();
    }

    String imapUrl() {
        return "imap://127.0.0.1:" + settings.imapPort();
    }

    String address() {
        return settings.address();
    }

    @Override
    public void close() {
        greenMail.stop();
    }
}
