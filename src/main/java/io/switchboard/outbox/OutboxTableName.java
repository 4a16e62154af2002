package io.switchboard.outbox;

import org.hibernate.boot.model.naming.Identifier;
import org.hibernate.boot.model.naming.PhysicalNamingStrategyStandardImpl;
import org.hibernate.engine.jdbc.env.spi.JdbcEnvironment;

/**
 * Puts the card's table name in place of the mapping's {@code outbox}: each outbox table gets an
 * entity manager factory of its own with this strategy, so one entity serves every table name.
 */
final class OutboxTableName extends PhysicalNamingStrategyStandardImpl {

    private final String table;

    OutboxTableName(String table) {
        this.table = table;
    }

    @Override
    public Identifier toPhysicalTableName(Identifier logicalName, JdbcEnvironment context) {
        return OutboxEvent.TABLE.equals(logicalName.getText()) ? Identifier.toIdentifier(table) : logicalName;
    }
}
