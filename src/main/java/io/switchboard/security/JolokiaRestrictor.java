package io.switchboard.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Set;

import javax.management.ObjectName;

import org.jolokia.server.core.config.ConfigKey;
import org.jolokia.server.core.config.Configuration;
import org.jolokia.server.core.restrictor.RestrictorFactory;
import org.jolokia.server.core.service.api.Restrictor;
import org.jolokia.server.core.util.HttpMethod;
import org.jolokia.server.core.util.RequestType;

/**
 * Jolokia's access check: {@code jolokia-access.xml} (the {@code policyLocation}), made to hold
 * whatever shape a request takes. Jolokia hands the policy the operation as written, so
 * {@code sendBody(java.lang.String, java.lang.Object)} or {@code " updateRouteFromXml"} would not
 * match an entry {@code updateRouteFromXml}; and it checks an MBean-name pattern
 * ({@code com.sun.management:type=Diag*}) as the pattern, which no deny entry matches, before
 * running the operation on every MBean it names. Here:
 * <ul>
 * <li>an exec or a write on an MBean-name pattern is refused (Hawtio names its MBeans);</li>
 * <li>the policy sees the operation's bare name, without its signature or spaces;</li>
 * <li>Camel's route dumps run in their no-argument form only ({@code dumpRoutesAsXml()}, which
 * Hawtio uses): the other forms can resolve placeholders, and with them the secrets they name.</li>
 * </ul>
 * Jolokia builds it from {@code restrictorClass} with its configuration.
 */
public final class JolokiaRestrictor implements Restrictor {

    private static final Set<String> DUMPS_THAT_RESOLVE_PLACEHOLDERS = Set.of("dumpRoutesAsXml", "dumpRoutesAsYaml",
            "dumpRestsAsXml", "dumpRouteAsXml", "dumpRouteAsYaml", "dumpRouteTemplatesAsXml");

    private final Restrictor policy;

    public JolokiaRestrictor(Configuration config) {
        String location = config.getConfig(ConfigKey.POLICY_LOCATION);
        try {
            this.policy = RestrictorFactory.lookupPolicyRestrictor(location);
        } catch (IOException unreadable) {
            throw new UncheckedIOException("Jolokia's policy " + location + " cannot be read", unreadable);
        }
        if (this.policy == null) {
            throw new IllegalStateException("Jolokia's policy " + location + " is missing: no Jolokia without it");
        }
    }

    @Override
    public boolean isOperationAllowed(ObjectName name, String operation) {
        if (name == null || name.isPattern() || operation == null) {
            return false;
        }
        String bare = bareName(operation);
        if (DUMPS_THAT_RESOLVE_PLACEHOLDERS.contains(bare) && "org.apache.camel".equals(name.getDomain())
                && !operation.replaceAll("\\s", "").equals(bare + "()")) {
            return false;
        }
        return policy.isOperationAllowed(name, bare);
    }

    @Override
    public boolean isAttributeWriteAllowed(ObjectName name, String attribute) {
        return name != null && !name.isPattern() && policy.isAttributeWriteAllowed(name, attribute);
    }

    @Override
    public boolean isAttributeReadAllowed(ObjectName name, String attribute) {
        return policy.isAttributeReadAllowed(name, attribute);
    }

    @Override
    public boolean isHttpMethodAllowed(HttpMethod method) {
        return policy.isHttpMethodAllowed(method);
    }

    @Override
    public boolean isTypeAllowed(RequestType type) {
        return policy.isTypeAllowed(type);
    }

    @Override
    public boolean isRemoteAccessAllowed(String... hostOrAddress) {
        return policy.isRemoteAccessAllowed(hostOrAddress);
    }

    @Override
    public boolean isOriginAllowed(String origin, boolean onlyWhenStrictCheckingIsEnabled) {
        return policy.isOriginAllowed(origin, onlyWhenStrictCheckingIsEnabled);
    }

    @Override
    public boolean isObjectNameHidden(ObjectName name) {
        return policy.isObjectNameHidden(name);
    }

    @Override
    public boolean ignoreScheme() {
        return policy.ignoreScheme();
    }

    /** {@code " sendBody (java.lang.String, java.lang.Object)"} is {@code sendBody}. */
    static String bareName(String operation) {
        int signature = operation.indexOf('(');
        return (signature < 0 ? operation : operation.substring(0, signature)).strip();
    }
}
