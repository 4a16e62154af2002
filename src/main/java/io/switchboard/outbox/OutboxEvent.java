package io.switchboard.outbox;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.LockModeType;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.QueryHint;
import jakarta.persistence.Table;
import org.apache.camel.component.jpa.Consumed;

/**
 * One row of an outbox table, in Debezium's outbox columns ({@code id, aggregatetype,
 * aggregateid, type, payload}) plus {@code created_at} (the order rows are taken in) and
 * {@code processed_at} (set once the row's event is stored). The table is named on the card;
 * {@link OutboxTableName} maps {@code outbox} to it, one entity manager factory per table.
 */
@Entity(name = "OutboxEvent")
@Table(name = OutboxEvent.TABLE)
@NamedQuery(name = OutboxEvent.PENDING,
        query = "select e from OutboxEvent e where e.processedAt is null order by e.createdAt, e.id",
        // FOR UPDATE SKIP LOCKED in each database's dialect: several nodes (or routes) polling the same
        // table each lock the rows they read and pass over the ones another holds, instead of waiting.
        lockMode = LockModeType.PESSIMISTIC_WRITE,
        hints = @QueryHint(name = "jakarta.persistence.lock.timeout", value = OutboxEvent.SKIP_LOCKED))
public class OutboxEvent {

    /** The table name the mapping carries; the card's table replaces it. */
    static final String TABLE = "outbox";
    /** The rows not yet taken, oldest first, locked. */
    static final String PENDING = "OutboxEvent.pending";
    /** Hibernate's lock timeout meaning SKIP LOCKED ({@code LockOptions.SKIP_LOCKED}). */
    static final String SKIP_LOCKED = "-2";

    @Id
    @Column(name = "id", updatable = false)
    private String id;

    @Column(name = "aggregatetype", updatable = false)
    private String aggregateType;

    @Column(name = "aggregateid", updatable = false)
    private String aggregateId;

    @Column(name = "type", updatable = false)
    private String type;

    @Column(name = "payload", updatable = false)
    private String payload;

    @Column(name = "created_at", updatable = false)
    private Instant createdAt;

    @Column(name = "processed_at")
    private Instant processedAt;

    protected OutboxEvent() {
        // for JPA
    }

    /**
     * Camel JPA calls this after the route took the row without an exception, that is after its
     * event was committed to the inbox; the update commits with the consumer's transaction.
     */
    @Consumed
    public void consumed() {
        processedAt = Instant.now();
    }

    public String getId() {
        return id;
    }

    public String getAggregateType() {
        return aggregateType;
    }

    public String getAggregateId() {
        return aggregateId;
    }

    public String getType() {
        return type;
    }

    public String getPayload() {
        return payload;
    }

    public Instant getCreatedAt() {
        return createdAt;
    }

    public Instant getProcessedAt() {
        return processedAt;
    }

    @Override
    public String toString() {
        // Camel logs consumed entities at debug: the payload stays out (it may carry personal data).
        return "OutboxEvent[id=" + id + ", aggregatetype=" + aggregateType + ", aggregateid=" + aggregateId + ", type="
                + type + "]";
    }
}
