package io.switchboard.security;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URLDecoder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpStatus;

/**
 * Reads a login's body (the console's form, Hawtio's JSON) before anything else sees the
 * request, without holding a thread (servlet non-blocking I/O) and within the same total
 * deadline as a webhook's body ({@code switchboard.ingress.body-deadline}): a slower sender is
 * answered 408 and its connection closed; a body over {@link #MAX_BODY} bytes gets 413. Only a
 * whole body goes on, dispatched again with the body in memory, so a sender that trickles its
 * form costs a socket, never a worker thread or one of the permits that bound how many logins
 * are checked at once ({@link AnonymousBodies}).
 */
final class LoginBodies implements Filter {

    /** A login form or Hawtio's login JSON is a few hundred bytes. */
    static final int MAX_BODY = 8 * 1024;
    private static final String BODY = LoginBodies.class.getName() + ".body";

    private final Duration deadline;

    LoginBodies(Duration deadline) {
        this.deadline = deadline;
    }

    static boolean isLogin(HttpServletRequest request) {
        String path = request.getRequestURI();
        return "POST".equals(request.getMethod())
                && ("/login".equals(path) || "/actuator/hawtio/auth/login".equals(path));
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) res;
        if (request.getDispatcherType() == DispatcherType.ASYNC && request.getAttribute(BODY) instanceof byte[] body) {
            request.removeAttribute(BODY);
            chain.doFilter(new ReadBody(request, body), response);
            return;
        }
        if (request.getDispatcherType() != DispatcherType.REQUEST || !isLogin(request)) {
            chain.doFilter(req, res);
            return;
        }
        if (request.getContentLengthLong() > MAX_BODY) {
            refuse(response, HttpStatus.PAYLOAD_TOO_LARGE, "Body too large",
                    "A login is at most " + MAX_BODY + " bytes.");
            return;
        }
        if (!request.isAsyncSupported()) {
            chain.doFilter(req, res);
            return;
        }
        new AsyncBody(request, response).start();
    }

    private static void refuse(HttpServletResponse response, HttpStatus status, String title, String detail)
            throws IOException {
        // The rest of the body is not waited for: the connection ends with this answer.
        response.setHeader("Connection", "close");
        ProblemResponses.write(response, status, title, detail);
    }

    /** Collects the body as it arrives; dispatches the request again once it is whole. */
    private final class AsyncBody implements ReadListener, AsyncListener {

        private final HttpServletRequest request;
        private final HttpServletResponse response;
        private final ByteArrayOutputStream body = new ByteArrayOutputStream(1024);
        private final byte[] buffer = new byte[2048];
        /** Set once by whichever comes first: the whole body, an oversized one, the deadline or an error. */
        private final AtomicBoolean settled = new AtomicBoolean();
        private AsyncContext async;
        private ServletInputStream in;

        AsyncBody(HttpServletRequest request, HttpServletResponse response) {
            this.request = request;
            this.response = response;
        }

        void start() throws IOException {
            async = request.startAsync(request, response);
            async.setTimeout(deadline.toMillis());
            async.addListener(this);
            in = request.getInputStream();
            in.setReadListener(this);
        }

        @Override
        public void onDataAvailable() throws IOException {
            int read;
            while (!settled.get() && in.isReady() && (read = in.read(buffer)) != -1) {
                if (body.size() + read > MAX_BODY) {
                    finish(HttpStatus.PAYLOAD_TOO_LARGE, "Body too large", "A login is at most " + MAX_BODY + " bytes.");
                    return;
                }
                body.write(buffer, 0, read);
            }
        }

        @Override
        public void onAllDataRead() {
            if (settled.compareAndSet(false, true)) {
                request.setAttribute(BODY, body.toByteArray());
                async.dispatch();
            }
        }

        @Override
        public void onTimeout(AsyncEvent event) throws IOException {
            finish(HttpStatus.REQUEST_TIMEOUT, "Body too slow", "The login did not arrive within "
                    + deadline.toMillis() + " ms; send the whole request at once.");
        }

        @Override
        public void onError(Throwable failure) {
            // The client went away or the read failed: nobody to answer.
            if (settled.compareAndSet(false, true)) {
                async.complete();
            }
        }

        @Override
        public void onError(AsyncEvent event) {
            onError(event.getThrowable());
        }

        @Override
        public void onComplete(AsyncEvent event) {
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
        }

        private void finish(HttpStatus status, String title, String detail) throws IOException {
            if (settled.compareAndSet(false, true)) {
                try {
                    refuse(response, status, title, detail);
                } finally {
                    async.complete();
                }
            }
        }
    }

    /**
     * The login request again, its body from memory: the stream, the reader and the form's
     * parameters (after the query's, as the container orders them). It says it is the original
     * dispatch, so the security filters (CSRF, login, throttle) treat it as the request it is.
     */
    private static final class ReadBody extends HttpServletRequestWrapper {

        private final byte[] body;
        private Map<String, String[]> parameters;

        ReadBody(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public DispatcherType getDispatcherType() {
            return DispatcherType.REQUEST;
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream bytes = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public int read() {
                    return bytes.read();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    return bytes.read(b, off, len);
                }

                @Override
                public boolean isFinished() {
                    return bytes.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new IllegalStateException("the body has been read already");
                }
            };
        }

        @Override
        public BufferedReader getReader() {
            return new BufferedReader(new InputStreamReader(getInputStream(), charset()));
        }

        @Override
        public String getParameter(String name) {
            String[] values = parameters().get(name);
            return values == null ? null : values[0];
        }

        @Override
        public Map<String, String[]> getParameterMap() {
            return Collections.unmodifiableMap(parameters());
        }

        @Override
        public Enumeration<String> getParameterNames() {
            return Collections.enumeration(parameters().keySet());
        }

        @Override
        public String[] getParameterValues(String name) {
            String[] values = parameters().get(name);
            return values == null ? null : values.clone();
        }

        private Map<String, String[]> parameters() {
            if (parameters == null) {
                // The container's own parameters are the query's only: the body was read as a stream.
                Map<String, List<String>> all = new LinkedHashMap<>();
                super.getParameterMap().forEach((name, values) -> all.computeIfAbsent(name, n -> new ArrayList<>())
                        .addAll(List.of(values)));
                String type = getContentType();
                if (type != null && type.toLowerCase().startsWith("application/x-www-form-urlencoded")) {
                    for (String pair : new String(body, StandardCharsets.ISO_8859_1).split("&")) {
                        if (pair.isEmpty()) {
                            continue;
                        }
                        int equals = pair.indexOf('=');
                        String name = decode(equals < 0 ? pair : pair.substring(0, equals));
                        String value = equals < 0 ? "" : decode(pair.substring(equals + 1));
                        all.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
                    }
                }
                Map<String, String[]> flat = new LinkedHashMap<>();
                all.forEach((name, values) -> flat.put(name, values.toArray(String[]::new)));
                parameters = flat;
            }
            return parameters;
        }

        private String decode(String encoded) {
            try {
                return URLDecoder.decode(encoded, charset());
            } catch (IllegalArgumentException malformed) {
                return encoded;
            }
        }

        private Charset charset() {
            String encoding = getCharacterEncoding();
            try {
                return encoding == null ? StandardCharsets.UTF_8 : Charset.forName(encoding);
            } catch (IllegalArgumentException unknown) {
                return StandardCharsets.UTF_8;
            }
        }
    }
}
