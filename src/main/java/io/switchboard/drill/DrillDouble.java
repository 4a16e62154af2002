package io.switchboard.drill;

import java.util.Map;

import io.switchboard.connect.SystemDouble;

/**
 * A test double a drill uses instead of one connection's system (a database, a mail server, a
 * folder, a broker; or a topic prefix of the drill's own on a broker): the drill's events call it ({@link SystemDouble}), the drill reads their effects
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

    /** Whether it can refuse the connection's credentials, as the real system would a wrong password. */
    default boolean refusesCredentials() {
        return false;
    }

    /** From now on the calls' credentials are refused ({@code true}) or taken again ({@code false}). */
    default void refuseCredentials(boolean refuse) {
        throw new UnsupportedOperationException(describe() + " takes any credentials");
    }

    /** What it is, for evidence: "a scratch H2 database (PostgreSQL mode) made from routes/x.sql". */
    String describe();

    @Override
    void close();
}
