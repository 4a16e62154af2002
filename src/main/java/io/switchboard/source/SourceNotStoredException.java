package io.switchboard.source;

/** An item a source read could not be stored (the platform database is unavailable): it stays at the source. */
public class SourceNotStoredException extends RuntimeException {

    public SourceNotStoredException(String integration, String deliveryId, Throwable cause) {
        super("Integration " + integration + ": " + deliveryId + " not stored (" + cause + "); it stays at its source",
                cause);
    }
}
