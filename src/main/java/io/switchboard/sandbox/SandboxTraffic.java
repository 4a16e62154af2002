package io.switchboard.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.ContentCachingRequestWrapper;

/**
 * What the simulated systems were asked, as a real provider's request log would show it: each
 * call to a system (CRM, mail, billing, chat, the token endpoint) with its answer, its time
 * and the start of its body. Kept in memory, the last {@value #KEPT} calls. The reliability
 * drills count effects and requests per second from it; the admin's own reads are left out.
 */
@SandboxEnabled
@Component
public class SandboxTraffic extends OncePerRequestFilter {

    static final int KEPT = 50_000;
    private static final int BODY_KEPT = 4_000;

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
        ContentCachingRequestWrapper cached = new ContentCachingRequestWrapper(request, BODY_KEPT);
        Instant at = Instant.now(clock);
        try {
            chain.doFilter(cached, response);
        } finally {
            if (!SandboxAccess.isAdmin()) {
                byte[] body = cached.getContentAsByteArray();
                record(new Call(SandboxGate.systemOf(request.getRequestURI()), request.getMethod(),
                        request.getRequestURI(), request.getQueryString(), response.getStatus(),
                        new String(body, 0, Math.min(body.length, BODY_KEPT), StandardCharsets.UTF_8), at));
            }
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
