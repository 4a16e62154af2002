package io.switchboard.ingress;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

/**
 * An HTTP/1.1 client on a plain socket, bound to a chosen loopback address (127.0.0.2,
 * 127.0.0.3...), so a test can be several clients at once and the server sees each one's
 * own address; it can also send a body as slowly as it likes.
 */
final class RawClient implements AutoCloseable {

    private final Socket socket = new Socket();
    private long startedAt;

    RawClient(String fromAddress, int port) throws IOException {
        socket.setTcpNoDelay(true);
        socket.bind(new InetSocketAddress(fromAddress, 0));
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(30_000);
    }

    /** Sends the request line and headers, and the first {@code sentBytes} of the body. */
    void start(String path, Map<String, String> headers, byte[] body, int sentBytes) throws IOException {
        StringBuilder head = new StringBuilder("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
        byte[] headBytes = head.toString().getBytes(StandardCharsets.US_ASCII);
        byte[] request = Arrays.copyOf(headBytes, headBytes.length + sentBytes);
        System.arraycopy(body, 0, request, headBytes.length, sentBytes);
        OutputStream out = socket.getOutputStream();
        out.write(request);
        out.flush();
        startedAt = System.nanoTime();
    }

    /** How long ago {@link #start} sent the request's first bytes. */
    Duration sinceStart() {
        return Duration.ofNanos(System.nanoTime() - startedAt);
    }

    /** Sends a whole request and reads the status of its answer. */
    int post(String path, Map<String, String> headers, byte[] body) throws IOException {
        start(path, headers, body, body.length);
        return status();
    }

    /** True once an answer (or part of one) has arrived, without reading it. */
    boolean answered() throws IOException {
        return socket.getInputStream().available() > 0;
    }

    /** The status of the answer if it comes within {@code timeout}, else -1 (the request is still being read). */
    int statusWithin(Duration timeout) throws IOException {
        int before = socket.getSoTimeout();
        socket.setSoTimeout((int) timeout.toMillis());
        try {
            return status();
        } catch (SocketTimeoutException stillWaiting) {
            return -1;
        } finally {
            socket.setSoTimeout(before);
        }
    }

    /** The status code of the answer (reads the whole answer; the connection may be reused). */
    int status() throws IOException {
        InputStream in = socket.getInputStream();
        String head = readHead(in);
        int status = Integer.parseInt(head.substring(9, 12));
        int length = 0;
        for (String line : head.split("\r\n")) {
            if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        in.readNBytes(length);
        return status;
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        int b;
        while (matched < 4 && (b = in.read()) != -1) {
            head.write(b);
            matched = (b == '\r' || b == '\n') ? matched + 1 : 0;
        }
        if (head.size() < 12) {
            throw new IOException("the server closed the connection without an answer");
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
