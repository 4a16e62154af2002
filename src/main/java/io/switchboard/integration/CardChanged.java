package io.switchboard.integration;

/** An integration's card file was added, changed or removed, and {@link IntegrationsProperties} holds the result. */
public record CardChanged(String integration) {
}
