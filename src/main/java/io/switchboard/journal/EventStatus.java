package io.switchboard.journal;

/**
 * Where an event is in its life; {@code DONE} and {@code DEAD} are final until a person replays it.
 * {@code WAITING}: held in the inbox until a connection it needs is connected again.
 */
public enum EventStatus {
    RECEIVED, PROCESSING, WAITING, DONE, FAILED, DEAD, DUPLICATE, REPLAYED
}
