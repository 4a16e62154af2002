package io.switchboard.reliability;

/** Thrown by an integration's own checks when the data cannot be processed as it is; never retried. */
public class InvalidDataException extends RuntimeException {

    public InvalidDataException(String message) {
        super(message);
    }
}
