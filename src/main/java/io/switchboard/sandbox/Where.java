package io.switchboard.sandbox;

import java.util.ArrayList;
import java.util.List;

/** A where clause of optional equality filters, built without {@code ? is null} (which PostgreSQL cannot type). */
final class Where {

    private final StringBuilder clause = new StringBuilder();
    private final List<Object> args = new ArrayList<>();

    /** Adds {@code column = value} when a value is given; column names are constants of the caller. */
    Where and(String column, Object value) {
        if (value != null) {
            clause.append(clause.isEmpty() ? " where " : " and ").append(column).append(" = ?");
            args.add(value);
        }
        return this;
    }

    Object[] args() {
        return args.toArray();
    }

    @Override
    public String toString() {
        return clause.toString();
    }
}
