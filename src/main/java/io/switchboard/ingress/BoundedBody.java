package io.switchboard.ingress;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

import org.springframework.http.HttpStatus;

/** Reads a request body up to a limit and refuses it the moment it goes past, without buffering the rest. */
final class BoundedBody {

    private BoundedBody() {
    }

    static byte[] read(InputStream in, long declaredLength, long limit) throws IOException {
        if (declaredLength > limit) {
            throw tooLarge(limit);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(Math.max(declaredLength, 1024), limit));
        byte[] buffer = new byte[8192];
        long total = 0;
        int read;
        while ((read = in.read(buffer)) != -1) {
            total += read;
            if (total > limit) {
                throw tooLarge(limit);
            }
            out.write(buffer, 0, read);
        }
        return out.toByteArray();
    }

    static WebhookRejection tooLarge(long limit) {
        return new WebhookRejection(HttpStatus.PAYLOAD_TOO_LARGE, "Body too large",
                "The body is larger than this integration's limit of " + limit + " bytes.");
    }
}
