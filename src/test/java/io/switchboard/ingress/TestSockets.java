package io.switchboard.ingress;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;

/** {@link RawClient} for tests of other packages: a raw HTTP client from a loopback address of its own. */
public final class TestSockets {

    private TestSockets() {
    }

    public static Client from(String address, int port) throws IOException {
        return new Client(new RawClient(address, port));
    }

    /** One connection; {@link #post} sends a request with exactly the path given, not normalised. */
    public static final class Client implements AutoCloseable {

        private final RawClient raw;

        private Client(RawClient raw) {
            this.raw = raw;
        }

        public int post(String path, Map<String, String> headers, byte[] body) throws IOException {
            return raw.post(path, headers, body);
        }

        /** Sends the head and only the first {@code sentBytes} of the body. */
        public void start(String path, Map<String, String> headers, byte[] body, int sentBytes) throws IOException {
            raw.start(path, headers, body, sentBytes);
        }

        /** True once an answer has arrived, without reading it. */
        public boolean answered() throws IOException {
            return raw.answered();
        }

        /** The status of the answer if it comes within the timeout, else -1. */
        public int statusWithin(Duration timeout) throws IOException {
            return raw.statusWithin(timeout);
        }

        /** The status of the answer, waiting for it. */
        public int status() throws IOException {
            return raw.status();
        }

        @Override
        public void close() throws IOException {
            raw.close();
        }
    }
}
