package io.switchboard.queue;

import io.nats.client.impl.Headers;

/**
 * The inbox de-duplication key of a JetStream message: the publisher's {@code Nats-Msg-Id}
 * header when it set one (the id JetStream itself de-duplicates publishes by), else the
 * message's place in its stream, {@code <stream>@<created>:<sequence>}. The sequence is the
 * same on every redelivery and never reused within a stream; the stream's creation time keeps
 * a stream deleted and made again (whose sequences start over at 1) from calling its new
 * messages duplicates of the old ones.
 */
final class NatsDeliveryIds {

    /** JetStream's own de-duplication header. */
    static final String MSG_ID = "Nats-Msg-Id";

    private NatsDeliveryIds() {
    }

    static String of(Headers headers, String stream, long streamCreatedMillis, long streamSequence) {
        String messageId = headers == null ? null : headers.getFirst(MSG_ID);
        if (messageId != null && !messageId.isBlank()) {
            return messageId;
        }
        return stream + "@" + streamCreatedMillis + ":" + streamSequence;
    }
}
