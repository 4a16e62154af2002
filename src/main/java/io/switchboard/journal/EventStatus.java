package io.switchboard.journal;

/** Where an event is in its life; {@code DONE} and {@code DEAD} are final until a person replays it. */
public enum EventStatus {
    RECEIVED, PROCESSING, DONE, FAILED, DEAD, DUPLICATE, REPLAYED
}
