package io.switchboard.integration;

import org.springframework.http.HttpStatus;
import org.springframework.web.server.ResponseStatusException;

/** The {@code limit} of a list in the API: at least 1 (anything less is refused with 400), at most the list's cap. */
public final class PageLimit {

    private PageLimit() {
    }

    public static int of(int requested, int max) {
        if (requested < 1) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST,
                    "limit must be a positive number (at most " + max + "); it was " + requested + ".");
        }
        return Math.min(requested, max);
    }
}
