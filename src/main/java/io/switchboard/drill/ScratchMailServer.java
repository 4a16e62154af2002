package io.switchboard.drill;

import java.io.IOException;
import java.util.HashSet;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.switchboard.connect.ConnectionsProperties;
import io.switchboard.connect.SystemDouble;
import jakarta.mail.BodyPart;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.springframework.mail.javamail.JavaMailSenderImpl;

/**
 * A mail connection's double: a throwaway SMTP server of the drill's own (GreenMail, on a
 * random loopback port, the sandbox's mail server's kind) behind a {@link TcpFaultProxy}. It
 * keeps every message it receives, so the drill counts the mails each case sent; none leaves
 * the machine.
 */
final class ScratchMailServer implements DrillDouble {

    private final String connection;
    private final GreenMail greenMail;
    private final TcpFaultProxy proxy;
    private final JavaMailSenderImpl sender;

    private ScratchMailServer(String connection, GreenMail greenMail, TcpFaultProxy proxy, JavaMailSenderImpl sender) {
        this.connection = connection;
        this.greenMail = greenMail;
        this.proxy = proxy;
        this.sender = sender;
    }

    /** Why the connection has no mail server double, or null when it can have one. */
    static String missing(ConnectionsProperties.Connection settings) {
        String url = settings.url() == null ? "" : settings.url();
        return url.startsWith("smtp://") || url.startsWith("smtps://") ? null
                : "it does not send mail (its url is not smtp:// or smtps://), and only sending has a double";
    }

    static ScratchMailServer start(String connection, ConnectionsProperties.Connection settings) {
        GreenMail greenMail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
        greenMail.start();
        TcpFaultProxy proxy = null;
        try {
            proxy = new TcpFaultProxy("127.0.0.1", greenMail.getSmtp().getPort());
        } catch (IOException | RuntimeException broken) {
            greenMail.stop();
            throw new IllegalStateException("the mail server double for connection " + connection + " could not "
                    + "start: " + broken.getMessage(), broken);
        }
        JavaMailSenderImpl sender = new JavaMailSenderImpl();
        sender.setHost("127.0.0.1");
        sender.setPort(proxy.port());
        Properties mail = sender.getJavaMailProperties();
        mail.setProperty("mail.smtp.connectiontimeout", String.valueOf(settings.connectTimeout().toMillis()));
        mail.setProperty("mail.smtp.timeout", String.valueOf(settings.readTimeout().toMillis()));
        mail.setProperty("mail.smtp.writetimeout", String.valueOf(settings.readTimeout().toMillis()));
        return new ScratchMailServer(connection, greenMail, proxy, sender);
    }

    @Override
    public String connection() {
        return connection;
    }

    @Override
    public SystemDouble clients() {
        return SystemDouble.mailServer(sender);
    }

    @Override
    public TcpFaultProxy proxy() {
        return proxy;
    }

    @Override
    public String describe() {
        return "a throwaway SMTP server (GreenMail)";
    }

    /** Mails whose subject or text names {@code instance}, by recipients; one per message sent, whoever got it. */
    @Override
    public Map<String, Integer> effects(String instance) {
        Map<String, Integer> effects = new TreeMap<>();
        Set<String> counted = new HashSet<>();
        try {
            // GreenMail keeps a copy per recipient: a message is counted once, by its Message-ID.
            for (MimeMessage message : greenMail.getReceivedMessages()) {
                if (mentions(message, instance) && counted.add(message.getMessageID())) {
                    effects.merge(connection + " mail to " + InternetAddress.toString(
                            message.getRecipients(Message.RecipientType.TO)), 1, Integer::sum);
                }
            }
        } catch (MessagingException | IOException unreadable) {
            throw new IllegalStateException("the mails of " + connection + "'s double could not be read: "
                    + unreadable.getMessage(), unreadable);
        }
        return effects;
    }

    private static boolean mentions(MimeMessage message, String instance) throws MessagingException, IOException {
        return String.valueOf(message.getSubject()).contains(instance) || text(message.getContent()).contains(instance);
    }

    private static String text(Object content) throws MessagingException, IOException {
        if (content instanceof Multipart parts) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < parts.getCount(); i++) {
                BodyPart part = parts.getBodyPart(i);
                text.append(text(part.getContent())).append('\n');
            }
            return text.toString();
        }
        return String.valueOf(content);
    }

    @Override
    public void close() {
        proxy.close();
        greenMail.stop();
    }
}
