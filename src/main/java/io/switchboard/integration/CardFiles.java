package io.switchboard.integration;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.FileSystemResource;

/**
 * An integration's card beside its route: {@code routes/<id>.card.yaml} holds what
 * {@code switchboard.integrations.<id>} holds in config ({@code trigger}, {@code card},
 * {@code webhook}, {@code inbox}, {@code event}, {@code settings}, {@code contract-exceptions}),
 * at the top of the file. The files become one property source under
 * {@code switchboard.integrations.<id>.*}, so the same record binds them, placeholders such as
 * {@code ${LEAD_INTAKE_WEBHOOK_SECRET:}} resolve, and routes read their settings as
 * {@code {{switchboard.integrations.<id>.settings.<name>}}}.
 *
 * <p>The source ranks below config: a key set under {@code switchboard.integrations.<id>} in
 * {@code config/} (or the environment, or the command line) wins over the same key in the card
 * file, key by key; every other key of both is kept. So an operator can override one value of a
 * card (a rate limit, a secret) without copying the card.
 */
public final class CardFiles {

    public static final String SUFFIX = ".card.yaml";
    static final String SOURCE = "card files (routes/*" + SUFFIX + ")";
    static final String PREFIX = "switchboard.integrations.";
    private static final Pattern ID = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");
    private static final Set<String> KEYS = Set.of("trigger", "card", "webhook", "inbox", "event", "settings",
            "contract-exceptions", "source", "drill");

    private CardFiles() {
    }

    /** The integration id a card file is for: its name without {@code .card.yaml}. */
    public static String idOf(Path file) {
        String name = file.getFileName().toString();
        return name.endsWith(SUFFIX) ? name.substring(0, name.length() - SUFFIX.length()) : null;
    }

    /**
     * One card file's properties, under {@code switchboard.integrations.<id>.}.
     *
     * @throws IllegalArgumentException naming the file and what to fix
     */
    static Map<String, Object> read(Path file) {
        String id = idOf(file);
        if (id == null || !ID.matcher(id).matches()) {
            throw new IllegalArgumentException(file.getFileName() + ": the integration id before " + SUFFIX
                    + " must be kebab-case (lower-case letters, digits and dashes), like lead-intake" + SUFFIX);
        }
        List<PropertySource<?>> documents;
        try {
            documents = new YamlPropertySourceLoader().load(file.toString(), new FileSystemResource(file));
        } catch (IOException | RuntimeException unreadable) {
            throw new IllegalArgumentException(file.getFileName() + ": " + firstLine(unreadable), unreadable);
        }
        Map<String, Object> properties = new LinkedHashMap<>();
        Set<String> unknown = new TreeSet<>();
        for (PropertySource<?> document : documents) {
            if (!(document instanceof EnumerablePropertySource<?> keys)) {
                continue;
            }
            for (String key : keys.getPropertyNames()) {
                String top = key.split("[.\\[]", 2)[0];
                if (!KEYS.contains(top)) {
                    unknown.add(top);
                }
                properties.put(PREFIX + id + "." + key, document.getProperty(key));
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(file.getFileName() + ": unknown key " + unknown + " at the top; a card"
                    + " holds " + new TreeSet<>(KEYS) + " at the top (what switchboard.integrations." + id
                    + " holds in config)");
        }
        if (properties.isEmpty()) {
            throw new IllegalArgumentException(file.getFileName() + ": the card is empty; give at least its trigger");
        }
        return properties;
    }

    /** Every card file of the folder, in file name order. */
    static Map<String, Object> readAll(Path folder) {
        Map<String, Object> properties = new LinkedHashMap<>();
        for (Path file : files(folder)) {
            properties.putAll(read(file));
        }
        return properties;
    }

    static List<Path> files(Path folder) {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(file -> file.getFileName().toString().endsWith(SUFFIX))
                    .filter(Files::isRegularFile).sorted().toList();
        } catch (IOException unreadable) {
            throw new IllegalStateException("the routes folder " + folder + " cannot be read: " + unreadable.getMessage(),
                    unreadable);
        }
    }

    /** Puts the card files' properties into the environment, below config (see the class comment). */
    static void install(ConfigurableEnvironment environment, Map<String, Object> properties) {
        MutablePropertySources sources = environment.getPropertySources();
        MapPropertySource source = new MapPropertySource(SOURCE, new LinkedHashMap<>(properties));
        if (sources.contains(SOURCE)) {
            sources.replace(SOURCE, source);
        } else if (sources.contains("defaultProperties")) {
            sources.addBefore("defaultProperties", source);
        } else {
            sources.addLast(source);
        }
    }

    /** The card files' properties now in the environment. */
    static Map<String, Object> installed(ConfigurableEnvironment environment) {
        PropertySource<?> source = environment.getPropertySources().get(SOURCE);
        if (source instanceof MapPropertySource map) {
            return new LinkedHashMap<>(map.getSource());
        }
        return new LinkedHashMap<>();
    }

    private static String firstLine(Throwable failure) {
        String message = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
        for (Throwable cause = failure.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            if (cause.getMessage() != null && cause.getMessage().contains("line")) {
                message = cause.getMessage();
            }
        }
        return message.strip().replaceAll("\\s+", " ");
    }
}
