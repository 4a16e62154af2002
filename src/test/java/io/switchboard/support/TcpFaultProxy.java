package io.switchboard.support;

import java.io.IOException;

/**
 * The drills' fault proxy ({@link io.switchboard.drill.TcpFaultProxy}) under the name the outage
 * tests of the other packages know it by: one proxy, product code, not a copy.
 */
public final class TcpFaultProxy extends io.switchboard.drill.TcpFaultProxy {

    public TcpFaultProxy(String targetHost, int targetPort) throws IOException {
        super(targetHost, targetPort);
    }
}
