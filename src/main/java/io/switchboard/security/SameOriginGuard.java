package io.switchboard.security;

import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpStatus;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Hawtio and Jolokia answer the server's own origin only. Jolokia can run any JMX operation,
 * so a page on another origin (another port of the same host included) must not reach it
 * through a logged-in admin's browser:
 * <ul>
 * <li>no CORS at all: preflights are refused, and the {@code Origin} header is taken off before
 * Jolokia sees it, so Jolokia never echoes an origin or allows credentials;</li>
 * <li>a request whose {@code Origin} is not this server's, or that the browser marks
 * {@code Sec-Fetch-Site: cross-site} or {@code same-site}, is refused (a plain link to a
 * Hawtio page still opens it, as a top-level navigation);</li>
 * <li>Jolokia over GET may only read, list, search or ask the version: {@code exec} and
 * {@code write} need a POST, which Spring Security's CSRF check guards like the console's
 * (Hawtio sends the {@code X-XSRF-TOKEN} it reads from the cookie).</li>
 * </ul>
 * Which MBeans an admin may touch at all is {@code jolokia-access.xml}'s business.
 */
final class SameOriginGuard extends OncePerRequestFilter {

    private static final Set<String> READ_ONLY_COMMANDS = Set.of("", "read", "list", "search", "version");

    private final List<String> extraOrigins;

    /** @param extraOrigins origins besides the one the request names (e.g. behind a proxy that rewrites Host) */
    SameOriginGuard(List<String> extraOrigins) {
        this.extraOrigins = extraOrigins.stream().map(o -> o.toLowerCase(Locale.ROOT)).toList();
    }

    static boolean guards(HttpServletRequest request) {
        String path = request.getRequestURI();
        return isJolokia(path) || path.equals("/actuator/hawtio") || path.startsWith("/actuator/hawtio/");
    }

    private static boolean isJolokia(String path) {
        return path.equals("/actuator/jolokia") || path.startsWith("/actuator/jolokia/")
                || path.equals("/actuator/hawtio/jolokia") || path.startsWith("/actuator/hawtio/jolokia/");
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !guards(request);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        boolean jolokia = isJolokia(request.getRequestURI());
        if ("OPTIONS".equals(request.getMethod())) {
            refuse(response, "Hawtio and Jolokia answer no cross-origin requests.");
            return;
        }
        boolean navigation = "GET".equals(request.getMethod()) && "navigate".equals(request.getHeader("Sec-Fetch-Mode"));
        if (!navigation || jolokia) {
            String site = request.getHeader("Sec-Fetch-Site");
            if (site != null && !site.equals("same-origin") && !site.equals("none")) {
                refuse(response, "Hawtio and Jolokia answer requests from this server's own pages only.");
                return;
            }
            String origin = request.getHeader("Origin");
            if (origin != null && !isOwnOrigin(origin, request)) {
                refuse(response, "Hawtio and Jolokia answer requests from this server's own origin only.");
                return;
            }
        }
        if (jolokia && !"POST".equals(request.getMethod()) && !READ_ONLY_COMMANDS.contains(getCommand(request))) {
            refuse(response, "Jolokia over GET may only read: send exec and write as a POST with the CSRF token.");
            return;
        }
        chain.doFilter(jolokia ? new WithoutOrigin(request) : request, response);
    }

    /** The Jolokia command of a GET: the first path segment after the agent's path, or the {@code p} parameter's. */
    private static String getCommand(HttpServletRequest request) {
        String pathInfo = request.getParameter("p");
        if (pathInfo == null) {
            String uri = request.getRequestURI();
            int agent = uri.indexOf("/jolokia");
            pathInfo = uri.substring(agent + "/jolokia".length());
        }
        String decoded = URLDecoder.decode(pathInfo.replace("+", "%2B"), StandardCharsets.UTF_8);
        while (decoded.startsWith("/")) {
            decoded = decoded.substring(1);
        }
        int end = decoded.indexOf('/');
        return (end < 0 ? decoded : decoded.substring(0, end)).toLowerCase(Locale.ROOT);
    }

    private boolean isOwnOrigin(String origin, HttpServletRequest request) {
        String normalized = origin.trim().toLowerCase(Locale.ROOT);
        if (extraOrigins.contains(normalized)) {
            return true;
        }
        try {
            URI uri = URI.create(normalized);
            int port = uri.getPort() == -1 ? ("https".equals(uri.getScheme()) ? 443 : 80) : uri.getPort();
            return request.getScheme().equalsIgnoreCase(uri.getScheme())
                    && request.getServerName().equalsIgnoreCase(uri.getHost())
                    && request.getServerPort() == port;
        } catch (IllegalArgumentException notAnOrigin) {
            return false; // "null" and other opaque origins are never ours
        }
    }

    private static void refuse(HttpServletResponse response, String detail) throws IOException {
        ProblemResponses.write(response, HttpStatus.FORBIDDEN, "Forbidden", detail);
    }

    /** The request as Jolokia should see it: with no Origin, so it adds no CORS headers. */
    private static final class WithoutOrigin extends HttpServletRequestWrapper {

        WithoutOrigin(HttpServletRequest request) {
            super(request);
        }

        @Override
        public String getHeader(String name) {
            return "origin".equalsIgnoreCase(name) ? null : super.getHeader(name);
        }

        @Override
        public Enumeration<String> getHeaders(String name) {
            return "origin".equalsIgnoreCase(name) ? Collections.emptyEnumeration() : super.getHeaders(name);
        }

        @Override
        public Enumeration<String> getHeaderNames() {
            return Collections.enumeration(Collections.list(super.getHeaderNames()).stream()
                    .filter(name -> !"origin".equalsIgnoreCase(name)).toList());
        }
    }
}
