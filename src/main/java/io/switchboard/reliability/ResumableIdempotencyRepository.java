package io.switchboard.reliability;

import io.switchboard.integration.InboxHeaders;
import org.apache.camel.Exchange;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceSupport;

/**
 * A Camel idempotency key store (the JDBC one) with one addition for nodes that die. The
 * idempotent consumer records a key when an event starts; a failed attempt removes it, but
 * a node killed mid-event cannot, and the next node would skip the event as a duplicate
 * of itself, losing it. So an event the inbox hands over as <em>resumed</em> (its previous
 * attempt never finished) runs even when its key is present. If the key was in fact left
 * by a true duplicate, the work runs twice, which the calls' own idempotency (upsert by
 * e-mail, Idempotency-Key headers) absorbs; losing the event is the worse outcome.
 */
public class ResumableIdempotencyRepository extends ServiceSupport implements IdempotentRepository {

    private final IdempotentRepository store;

    public ResumableIdempotencyRepository(IdempotentRepository store) {
        this.store = store;
    }

    @Override
    public boolean add(String key) {
        return store.add(key);
    }

    @Override
    public boolean add(Exchange exchange, String key) {
        if (store.add(exchange, key)) {
            return true;
        }
        return Boolean.TRUE.equals(exchange.getMessage().getHeader(InboxHeaders.RESUMED, Boolean.class));
    }

    @Override
    public boolean contains(String key) {
        return store.contains(key);
    }

    @Override
    public boolean contains(Exchange exchange, String key) {
        return store.contains(exchange, key);
    }

    @Override
    public boolean remove(String key) {
        return store.remove(key);
    }

    @Override
    public boolean remove(Exchange exchange, String key) {
        return store.remove(exchange, key);
    }

    @Override
    public boolean confirm(String key) {
        return store.confirm(key);
    }

    @Override
    public boolean confirm(Exchange exchange, String key) {
        return store.confirm(exchange, key);
    }

    @Override
    public void clear() {
        store.clear();
    }

    @Override
    protected void doStart() throws Exception {
        store.start();
    }

    @Override
    protected void doStop() throws Exception {
        store.stop();
    }
}
