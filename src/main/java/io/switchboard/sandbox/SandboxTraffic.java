package io.switchboard.sandbox;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * What the simulated systems were asked, as a real provider's request log would show it: each
 * call to a system (CRM, mail, billing, chat, the token endpoint) with its answer, its time
 * and the start of its body (the first 1,000 bytes; none for the token endpoint, whose bodies
 * carry secrets). Kept in memory, the last {@value #KEPT} calls (at most some 40 MB). The reliability
 * drills count effects and requests per second from it; the admin's own reads are left out.
 */
@SandboxEnabled
@Component
public class SandboxTraffic extends OncePerRequestFilter {

    static final int KEPT = 20_000;
    private static final int BODY_KEPT = 1_000;

    /** One call a system answered. */
    public record Call(String system, String method, String path, String query, int status, String body, Instant at) {

        /** Whether the call carried {@code text}, in its query or its body. */
        public boolean mentions(String text) {
            return (query != null && query.contains(text)) || (body != null && body.contains(text));
        }

        /** A write that the system carried out (not refused, not a read). */
        public boolean isEffect() {
            return !"GET".equals(method) && status >= 200 && status < 300 && !"oauth".equals(system);
        }
    }

    private final ConcurrentLinkedDeque<Call> calls = new ConcurrentLinkedDeque<>();
    private final AtomicInteger size = new AtomicInteger();
    private final Clock clock;

    SandboxTraffic(Clock clock) {
        this.clock = clock;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return SandboxGate.systemOf(request.getRequestURI()) == null;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String system = SandboxGate.systemOf(request.getRequestURI());
        Instant at = Instant.now(clock);
        // A write's body is read here, so a call refused before its handler read it (a fault, the
        // rate limit) is told apart too. Not the token endpoint's: its bodies carry secrets, and its
        // form is read as parameters. Bodies are small here (the sandbox's APIs take JSON objects).
        byte[] body = new byte[0];
        HttpServletRequest passed = request;
        if (!"GET".equals(request.getMethod()) && !"oauth".equals(system)
                && request.getContentLengthLong() <= MAX_BUFFERED) {
            byte[] all = request.getInputStream().readNBytes(MAX_BUFFERED);
            body = all.length > BODY_KEPT ? Arrays.copyOf(all, BODY_KEPT) : all;
            passed = new BufferedBody(request, all);
        }
        try {
            chain.doFilter(passed, response);
        } finally {
            if (!SandboxAccess.isAdmin()) {
                record(new Call(system, request.getMethod(), request.getRequestURI(),
                        "oauth".equals(system) ? null : request.getQueryString(), response.getStatus(),
                        new String(body, StandardCharsets.UTF_8), at));
            }
        }
    }

    private static final int MAX_BUFFERED = 1024 * 1024;

    /** The request with its body already read, served again to the handler. */
    private static final class BufferedBody extends HttpServletRequestWrapper {
        private final byte[] body;

        BufferedBody(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new UnsupportedOperationException("the sandbox reads bodies blocking");
                }

                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    return in.read(b, off, len);
                }
            };
        }

        @Override
        public BufferedReader getReader() {
            return new BufferedReader(new InputStreamReader(getInputStream(), StandardCharsets.UTF_8));
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }
    }

    private void record(Call call) {
        calls.addLast(call);
        if (size.incrementAndGet() > KEPT && calls.pollFirst() != null) {
            size.decrementAndGet();
        }
    }

    /** The calls since {@code from}, oldest first. */
    public List<Call> since(Instant from) {
        List<Call> found = new ArrayList<>();
        for (Call call : calls) {
            if (!call.at().isBefore(from)) {
                found.add(call);
            }
        }
        return found;
    }
}
