package io.switchboard.journal;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/** This node's name in the journal and in inbox leases: {@code switchboard.node-id}, else host name and process id. */
@Component
public class NodeId {

    private final String value;

    public NodeId(@Value("${switchboard.node-id:}") String configured) {
        this.value = configured == null || configured.isBlank() ? defaultId() : configured;
    }

    public String value() {
        return value;
    }

    @Override
    public String toString() {
        return value;
    }

    private static String defaultId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "node";
        }
        return host + "-" + ManagementFactory.getRuntimeMXBean().getPid();
    }
}
