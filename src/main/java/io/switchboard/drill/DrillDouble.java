package io.switchboard.drill;

import java.util.Map;

import io.switchboard.connect.SystemDouble;

/**
 * A test double a drill uses instead of one connection's system (a database, a mail server, a
 * folder): the drill's events call it ({@link SystemDouble}), the drill reads their effects
 * from it, and cuts it off or slows it down through its {@link TcpFaultProxy}. Made per drill,
 * gone when the drill ends.
 */
interface DrillDouble extends AutoCloseable {

    /** The connection it stands in for. */
    String connection();

    /** What the connection's calls use while it stands in. */
    SystemDouble clients();

    /**
     * The effects that name {@code instance} (a case's marker, or the drill's for all of them),
     * counted by connection and what was written: {@code "shop-db row in orders" -> 1}.
     */
    Map<String, Integer> effects(String instance);

    /** The proxy the calls go through, to cut or slow down; null when there is no network (a folder). */
    TcpFaultProxy proxy();

    /** What it is, for evidence: "a scratch H2 database (PostgreSQL mode) made from routes/x.sql". */
    String describe();

    @Override
    void close();
}
