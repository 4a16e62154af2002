package io.switchboard.connect;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.origin.Origin;
import org.springframework.boot.origin.OriginLookup;
import org.springframework.boot.origin.TextResourceOrigin;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.PropertySource;

/**
 * Keeps connection secrets out of committed configuration. In a config file under
 * {@code ./config} a connection secret may only be a placeholder naming an environment
 * variable ({@code ${CRM_CLIENT_SECRET}} or {@code ${CRM_CLIENT_SECRET:}}), and that
 * variable may not be set in such a file either. The demo profile's file
 * ({@code config/application-default.yaml}) is the one exception: its values are
 * published demo credentials for the sandbox, and it says so.
 */
final class ConfigSecrets {

    /** The fields of {@code switchboard.connections.<name>.auth} that hold secrets, in uniform form. */
    static final Set<String> SECRET_FIELDS = Set.of("key", "password", "token", "clientsecret");

    private static final ConfigurationPropertyName CONNECTIONS = ConfigurationPropertyName.of("switchboard.connections");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^:}]+)(:)?}");
    private static final Pattern ONLY_A_PLACEHOLDER = Pattern.compile("\\$\\{[A-Za-z0-9_.\\-\\[\\]]+:?}");

    private ConfigSecrets() {
    }

    /** Fails the start, naming file and key, when committed config holds a connection secret. */
    static void check(ConfigurableEnvironment environment) {
        List<String> problems = new ArrayList<>();
        Set<String> variables = new LinkedHashSet<>();
        for (PropertySource<?> source : committedSources(environment)) {
            EnumerablePropertySource<?> enumerable = (EnumerablePropertySource<?>) source;
            for (String name : enumerable.getPropertyNames()) {
                if (!isConnectionSecret(name)) {
                    continue;
                }
                String raw = String.valueOf(enumerable.getProperty(name)).trim();
                if (!ONLY_A_PLACEHOLDER.matcher(raw).matches()) {
                    problems.add(name + " in " + fileOf(source, name)
                            + " is written out; use a placeholder without a default, e.g. ${"
                            + suggestedVariable(name) + "}, and set the variable in the environment");
                }
                Matcher placeholder = PLACEHOLDER.matcher(raw);
                while (placeholder.find()) {
                    variables.add(placeholder.group(1));
                }
            }
        }
        for (PropertySource<?> source : committedSources(environment)) {
            for (String variable : variables) {
                if (((EnumerablePropertySource<?>) source).containsProperty(variable)) {
                    problems.add(variable + " in " + fileOf(source, variable)
                            + " sets a connection secret in a committed file; set it in the environment instead");
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("Connection secrets found in committed configuration (only the demo "
                    + "profile's config/application-default.yaml may hold demo values):\n  - "
                    + String.join("\n  - ", problems));
        }
    }

    /**
     * The environment variable a secret's placeholder names, e.g. {@code CRM_CLIENT_SECRET} for
     * {@code client-secret: ${CRM_CLIENT_SECRET:}}, so an error can say what to set.
     */
    static String variableFor(ConfigurableEnvironment environment, String property) {
        ConfigurationPropertyName wanted = ConfigurationPropertyName.adapt(property, '.');
        for (PropertySource<?> source : environment.getPropertySources()) {
            if (!(source instanceof EnumerablePropertySource<?> enumerable)) {
                continue;
            }
            for (String name : enumerable.getPropertyNames()) {
                if (wanted.equals(adapt(name))) {
                    Matcher placeholder = PLACEHOLDER.matcher(String.valueOf(enumerable.getProperty(name)));
                    return placeholder.find() ? placeholder.group(1) : null;
                }
            }
        }
        return null;
    }

    static boolean isConnectionSecret(String property) {
        ConfigurationPropertyName name = adapt(property);
        if (name == null || !CONNECTIONS.isAncestorOf(name)) {
            return false;
        }
        // a broker connection's own password (switchboard.connections.<name>.password)
        if (name.getNumberOfElements() == 4) {
            return name.getLastElement(ConfigurationPropertyName.Form.UNIFORM).equals("password");
        }
        return name.getNumberOfElements() == 5
                && name.getElement(3, ConfigurationPropertyName.Form.UNIFORM).equals("auth")
                && SECRET_FIELDS.contains(name.getLastElement(ConfigurationPropertyName.Form.UNIFORM));
    }

    private static ConfigurationPropertyName adapt(String property) {
        try {
            return ConfigurationPropertyName.adapt(property, '.');
        } catch (RuntimeException notAPropertyName) {
            return null;
        }
    }

    private static List<PropertySource<?>> committedSources(ConfigurableEnvironment environment) {
        Path configDir = Path.of("config").toAbsolutePath().normalize();
        List<PropertySource<?>> sources = new ArrayList<>();
        for (PropertySource<?> source : environment.getPropertySources()) {
            if (source instanceof EnumerablePropertySource<?> enumerable && source instanceof OriginLookup<?>) {
                Path file = anyFile(enumerable);
                if (file != null && file.startsWith(configDir)
                        && !file.getFileName().toString().startsWith("application-default.")) {
                    sources.add(source);
                }
            }
        }
        return sources;
    }

    @SuppressWarnings("unchecked")
    private static Path anyFile(EnumerablePropertySource<?> source) {
        for (String name : source.getPropertyNames()) {
            Path file = fileOf(((OriginLookup<String>) source).getOrigin(name));
            if (file != null) {
                return file;
            }
        }
        return null;
    }

    @SuppressWarnings("unchecked")
    private static String fileOf(PropertySource<?> source, String name) {
        Origin origin = source instanceof OriginLookup<?> lookup ? ((OriginLookup<String>) lookup).getOrigin(name) : null;
        return origin == null ? source.getName() : origin.toString();
    }

    private static Path fileOf(Origin origin) {
        for (Origin at = origin; at != null; at = at.getParent()) {
            if (at instanceof TextResourceOrigin text && text.getResource() != null) {
                try {
                    return text.getResource().getFile().toPath().toAbsolutePath().normalize();
                } catch (IOException | UnsupportedOperationException notAFile) {
                    return null;
                }
            }
        }
        return null;
    }

    private static String suggestedVariable(String property) {
        ConfigurationPropertyName name = ConfigurationPropertyName.adapt(property, '.');
        return (name.getElement(2, ConfigurationPropertyName.Form.DASHED) + "_"
                + name.getLastElement(ConfigurationPropertyName.Form.DASHED)).toUpperCase().replace('-', '_');
    }
}
