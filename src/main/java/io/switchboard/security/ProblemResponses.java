package io.switchboard.security;

import java.io.IOException;
import java.time.Duration;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;

/**
 * The answer of a security filter that refuses a request before Spring MVC sees it: an
 * {@code application/problem+json} document, like every other error of the server.
 */
final class ProblemResponses {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ProblemResponses() {
    }

    static void write(HttpServletResponse response, HttpStatus status, String title, String detail)
            throws IOException {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setTitle(title);
        response.setStatus(status.value());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        JSON.writeValue(response.getOutputStream(), problem);
    }

    /** A refusal the client may try again after {@code wait}: the status with {@code Retry-After} in whole seconds. */
    static void retryLater(HttpServletResponse response, HttpStatus status, Duration wait, String title,
            String detail) throws IOException {
        response.setHeader("Retry-After", Long.toString(seconds(wait)));
        write(response, status, title, detail);
    }

    static long seconds(Duration wait) {
        return Math.max(1, (wait.toMillis() + 999) / 1000);
    }
}
