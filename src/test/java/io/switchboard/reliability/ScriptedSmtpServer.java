package io.switchboard.reliability;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.mail.SimpleMailMessage;
import org.springframework.mail.javamail.JavaMailSenderImpl;

/**
 * An SMTP server that answers what a test scripts: {@code answer("RCPT", "451 4.7.1 Greylisted")}
 * makes the next RCPT TO get that reply, once; everything else is accepted. GreenMail cannot
 * greylist or refuse a relay, and these replies are what the classification is about.
 */
public final class ScriptedSmtpServer implements AutoCloseable {

    private final ServerSocket socket;
    private final Map<String, Deque<String>> scripted = new ConcurrentHashMap<>();
    private final AtomicInteger delivered = new AtomicInteger();
    private final Thread acceptor;

    public ScriptedSmtpServer() throws IOException {
        socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::serve, "scripted-smtp");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return socket.getLocalPort();
    }

    /** The next {@code command} (EHLO, AUTH, MAIL, RCPT, DATA for the reply after the message) gets {@code reply}. */
    public ScriptedSmtpServer answer(String command, String reply) {
        scripted.computeIfAbsent(command, c -> new ArrayDeque<>()).add(reply);
        return this;
    }

    /** Messages accepted (250 after DATA). */
    public int delivered() {
        return delivered.get();
    }

    /** A sender as a route's bean would hold it, pointed at this server; with a user it authenticates. */
    public JavaMailSenderImpl sender(String username, String password) {
        JavaMailSenderImpl sender = new JavaMailSenderImpl();
        sender.setHost("127.0.0.1");
        sender.setPort(port());
        Properties properties = new Properties();
        properties.put("mail.smtp.connectiontimeout", "5000");
        properties.put("mail.smtp.timeout", "5000");
        if (username != null) {
            sender.setUsername(username);
            sender.setPassword(password);
            properties.put("mail.smtp.auth", "true");
        }
        sender.setJavaMailProperties(properties);
        return sender;
    }

    /** A plain message from the shop to {@code to}. */
    public static SimpleMailMessage message(String to) {
        SimpleMailMessage message = new SimpleMailMessage();
        message.setFrom("shop@example.com");
        message.setTo(to);
        message.setSubject("Your order");
        message.setText("Thank you for your order.");
        return message;
    }

    private void serve() {
        while (!socket.isClosed()) {
            try (Socket client = socket.accept()) {
                converse(client);
            } catch (IOException closedOrGone) {
                // the next client, or the end
            }
        }
    }

    private void converse(Socket client) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.US_ASCII));
        PrintWriter out = new PrintWriter(client.getOutputStream(), true, StandardCharsets.US_ASCII);
        reply(out, "220 scripted.example.com ESMTP");
        String line;
        while ((line = in.readLine()) != null) {
            String command = line.split(" ", 2)[0].toUpperCase(Locale.ROOT);
            switch (command) {
                case "EHLO" -> {
                    String scriptedReply = next("EHLO");
                    if (scriptedReply != null) {
                        reply(out, scriptedReply);
                    } else {
                        reply(out, "250-scripted.example.com\r\n250-AUTH PLAIN\r\n250 8BITMIME");
                    }
                }
                case "AUTH" -> reply(out, orDefault("AUTH", "235 2.7.0 Authentication successful"));
                case "MAIL" -> reply(out, orDefault("MAIL", "250 2.1.0 Ok"));
                case "RCPT" -> reply(out, orDefault("RCPT", "250 2.1.5 Ok"));
                case "DATA" -> {
                    reply(out, "354 End data with <CR><LF>.<CR><LF>");
                    while ((line = in.readLine()) != null && !line.equals(".")) {
                        // the message itself is not what these tests look at
                    }
                    String answer = orDefault("DATA", "250 2.0.0 Ok: queued");
                    if (answer.startsWith("250")) {
                        delivered.incrementAndGet();
                    }
                    reply(out, answer);
                }
                case "RSET", "NOOP" -> reply(out, "250 2.0.0 Ok");
                case "QUIT" -> {
                    reply(out, "221 2.0.0 Bye");
                    return;
                }
                default -> reply(out, "502 5.5.2 Command not recognized");
            }
        }
    }

    private String next(String command) {
        Deque<String> replies = scripted.get(command);
        return replies == null ? null : replies.poll();
    }

    private String orDefault(String command, String reply) {
        String scriptedReply = next(command);
        return scriptedReply == null ? reply : scriptedReply;
    }

    private static void reply(PrintWriter out, String reply) {
        out.print(reply + "\r\n");
        out.flush();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
