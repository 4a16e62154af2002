package io.switchboard.reliability;

/**
 * A step needs a connection that a person must connect (again) first: never connected,
 * disconnected, or its grant refused at refresh. The event is not failed: it waits in the
 * inbox, without using up an attempt, until the connection is connected.
 */
public class AwaitingConnectionException extends RuntimeException {

    private final String connection;

    public AwaitingConnectionException(String connection, String reason) {
        super(reason);
        this.connection = connection;
    }

    /** The connection the event waits for. */
    public String connection() {
        return connection;
    }
}
