package io.switchboard.connect;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import io.switchboard.reliability.InvalidDataException;
import org.springframework.web.util.UriComponents;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * The path a route asks a connection for, kept under the connection's base URL. A route may
 * build its path from an event's data ({@code CamelHttpPath}, or {@code toD}); a {@code ..}
 * segment there would walk the system with the connection's credentials, so it is refused in
 * any spelling: encoded ({@code %2e%2e}, {@code .%2E}), encoded twice ({@code %252e}),
 * behind a path parameter ({@code ..;x}, which servlet containers read as {@code ..}), or
 * with backslashes or an encoded slash as separator. The refusal is an
 * {@link InvalidDataException}: the event's data is what is wrong, and another attempt with
 * the same data fails the same way.
 */
final class ConnectionPaths {

    /** Decoding rounds: beyond three, a value is not a path anyone means. */
    private static final int ROUNDS = 3;

    private ConnectionPaths() {
    }

    /** The endpoint's path followed by the route's {@code CamelHttpPath}, checked. */
    static String join(String base, String more) {
        String joined;
        if (more == null || more.isBlank()) {
            joined = base;
        } else {
            String tail = more.startsWith("/") ? more.substring(1) : more;
            joined = base.isEmpty() ? tail : (base.endsWith("/") ? base : base + "/") + tail;
        }
        return checked(joined);
    }

    /** {@code path}, unless it could leave the base URL's path (see the class comment). */
    static String checked(String path) {
        if (path == null || path.isEmpty()) {
            return path;
        }
        String decoded = path;
        for (int round = 0; round < ROUNDS; round++) {
            String next = percentDecoded(decoded);
            if (next.equals(decoded)) {
                break;
            }
            decoded = next;
        }
        if (decoded.indexOf('%') >= 0 && !percentDecoded(decoded).equals(decoded)) {
            throw refused(path, "is percent-encoded more than " + ROUNDS + " times");
        }
        if (decoded.indexOf('\\') >= 0) {
            throw refused(path, "has a backslash (some servers read it as a '/')");
        }
        for (int i = 0; i < decoded.length(); i++) {
            if (Character.isISOControl(decoded.charAt(i))) {
                throw refused(path, "has a control character");
            }
        }
        for (String segment : decoded.split("/", -1)) {
            int parameters = segment.indexOf(';');
            String name = (parameters < 0 ? segment : segment.substring(0, parameters)).trim();
            if (name.equals("..")) {
                throw refused(path, "has a '..' segment" + (path.equals(decoded) ? "" : " once decoded"));
            }
        }
        return path;
    }

    /**
     * Whether {@code url} is {@code baseUrl} or below it: same scheme, host and port, and a
     * path that starts with the base path at a segment boundary.
     */
    static boolean within(String baseUrl, String url) {
        UriComponents base = UriComponentsBuilder.fromUriString(baseUrl).build();
        UriComponents target = UriComponentsBuilder.fromUriString(url).build();
        if (!same(base.getScheme(), target.getScheme()) || !same(base.getHost(), target.getHost())
                || base.getPort() != target.getPort()) {
            return false;
        }
        String basePath = base.getPath() == null ? "" : stripSlash(base.getPath());
        String path = target.getPath() == null ? "" : target.getPath();
        return path.equals(basePath) || path.startsWith(basePath + "/");
    }

    /** Refuses the final URL when it is not under the base URL, whatever produced it. */
    static String requireWithin(String baseUrl, String url, String path) {
        if (!within(baseUrl, url)) {
            throw refused(path, "leads outside the connection's base URL " + baseUrl);
        }
        return url;
    }

    private static boolean same(String a, String b) {
        return a == null ? b == null : a.equalsIgnoreCase(b);
    }

    private static String stripSlash(String path) {
        return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    /** One round of %XX decoding, lenient: a '%' without two hex digits stays as it is. */
    private static String percentDecoded(String value) {
        if (value.indexOf('%') < 0) {
            return value;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(value.length());
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '%' && i + 2 < bytes.length && hex(bytes[i + 1]) >= 0 && hex(bytes[i + 2]) >= 0) {
                out.write(hex(bytes[i + 1]) * 16 + hex(bytes[i + 2]));
                i += 2;
            } else {
                out.write(bytes[i]);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static int hex(byte b) {
        return Character.digit((char) b, 16);
    }

    private static InvalidDataException refused(String path, String why) {
        String shown = path.length() > 200 ? path.substring(0, 200) + "..." : path;
        return new InvalidDataException("Connection path '" + shown + "' " + why + ": a call stays under its "
                + "connection's base URL. Check the data the route builds the path from.");
    }
}
