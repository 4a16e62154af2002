package io.switchboard.reliability;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.camel.util.SensitiveUtils;

/**
 * Reads a called endpoint's URI as the route contract needs it: whether the call leaves the
 * platform (and so needs a throttle), whether it names its system by address or credentials
 * instead of by {@code connection:<name>}, and how to show it with its secrets blotted.
 * Read from the URI as written, placeholders unresolved: a {@code {{host}}} is still a host.
 */
public final class ExternalCalls {

    private static final String CONNECTION = "connection";

    /**
     * Components that reach a system outside the platform. Anything else with an authority
     * ({@code scheme://...}) counts too; internal components ({@code direct}, {@code bean},
     * {@code log}, {@code inbox}...) never do.
     */
    private static final Set<String> EXTERNAL = Set.of(CONNECTION, "http", "https", "netty-http", "vertx-http",
            "sql", "sql-stored", "jdbc", "spring-jdbc", "jpa", "mongodb",
            "spring-rabbitmq", "rabbitmq", "amqp", "jms", "activemq", "kafka", "paho", "paho-mqtt5", "nats",
            "smtp", "smtps", "imap", "imaps", "pop3", "pop3s", "ftp", "ftps", "sftp", "scp", "file");

    /** Components whose path is the host ({@code smtp:mail.example.com:587}, {@code sftp:host/dir}). */
    private static final Set<String> HOST_IN_PATH = Set.of("smtp", "smtps", "imap", "imaps", "pop3", "pop3s",
            "ftp", "ftps", "sftp", "scp");

    /** Options that hold where a system is ({@code rabbitmq:...?addresses=host:5672}, {@code kafka:...?brokers=}). */
    private static final Set<String> ADDRESS_OPTIONS = Set.of("host", "hostname", "addresses", "brokerurl",
            "brokers", "servers", "serveruris", "url", "jdbcurl", "connectionstring", "bootstrapservers");

    /** Options that say who calls, besides the secrets Camel itself knows ({@link SensitiveUtils}). */
    private static final Set<String> USER_OPTIONS = Set.of("username", "user", "userid");

    /** The kind of connection to declare instead of a component, where one exists. */
    private static final Map<String, String> KIND = Map.ofEntries(Map.entry("http", "http"),
            Map.entry("https", "http"), Map.entry("sql", "jdbc"), Map.entry("sql-stored", "jdbc"),
            Map.entry("jdbc", "jdbc"), Map.entry("spring-jdbc", "jdbc"), Map.entry("spring-rabbitmq", "amqp"),
            Map.entry("rabbitmq", "amqp"), Map.entry("amqp", "amqp"), Map.entry("paho", "mqtt"),
            Map.entry("paho-mqtt5", "mqtt"), Map.entry("nats", "nats"), Map.entry("smtp", "mail"),
            Map.entry("smtps", "mail"), Map.entry("imap", "mail"), Map.entry("imaps", "mail"),
            Map.entry("pop3", "mail"), Map.entry("pop3s", "mail"), Map.entry("file", "file"),
            Map.entry("ftp", "file"), Map.entry("ftps", "file"), Map.entry("sftp", "file"));

    private ExternalCalls() {
    }

    /** The component a URI names: {@code smtp} for {@code smtp://host}, lower case. */
    static String component(String uri) {
        int colon = uri.indexOf(':');
        return colon < 0 ? uri.toLowerCase(Locale.ROOT) : uri.substring(0, colon).toLowerCase(Locale.ROOT);
    }

    /** True for a {@code connection:<name>} call: declared, limited and watched by the platform. */
    static boolean isConnection(String uri) {
        return CONNECTION.equals(component(uri));
    }

    /**
     * True when calling {@code uri} reaches a system outside the platform. A {@code file:} call
     * stays inside when it writes under the platform's own data folder.
     */
    static boolean leavesThePlatform(String uri, Path dataFolder) {
        String component = component(uri);
        if ("file".equals(component)) {
            return !under(filePath(uri), dataFolder);
        }
        return EXTERNAL.contains(component) || uri.contains("://");
    }

    /**
     * What a call names that belongs in a connection's declaration instead: {@code "a host"},
     * {@code "credentials"}, both, or nothing (empty) for a call by {@code connection:}, by a bean
     * ({@code dataSource=#shopDb}, {@code connectionFactory=#broker}) or to an internal component.
     */
    static List<String> embedded(String uri, Path dataFolder) {
        List<String> found = new ArrayList<>();
        String component = component(uri);
        if (isConnection(uri) || !leavesThePlatform(uri, dataFolder)) {
            return found;
        }
        String path = uri.substring(uri.indexOf(':') + 1);
        int query = path.indexOf('?');
        String query0 = query < 0 ? "" : path.substring(query + 1);
        String remainder = query < 0 ? path : path.substring(0, query);
        // smtp://host, or a URL in the path: jdbc:postgresql://db:5432/shop
        boolean authority = (remainder.startsWith("//") && remainder.length() > 2 && remainder.charAt(2) != '/')
                || remainder.contains("://");
        boolean host = !"file".equals(component) && (authority
                || (HOST_IN_PATH.contains(component) && !remainder.replace("/", "").isBlank()));
        boolean credentials = remainder.contains("@") && (authority || HOST_IN_PATH.contains(component));
        for (String option : query0.split("&")) {
            int equals = option.indexOf('=');
            String key = (equals < 0 ? option : option.substring(0, equals)).toLowerCase(Locale.ROOT).trim();
            if (key.isEmpty()) {
                continue;
            }
            if (ADDRESS_OPTIONS.contains(key)) {
                host = true;
            }
            if (USER_OPTIONS.contains(key) || SensitiveUtils.containsSensitive(key)) {
                credentials = true;
            }
        }
        // A JDBC or broker URL inside an option (url=jdbc:postgresql://db/shop?password=...) names both.
        if (query0.contains("://")) {
            host = true;
        }
        if (host) {
            found.add("a host");
        }
        if (credentials) {
            found.add("credentials");
        }
        return found;
    }

    /** A user and password in an authority, anywhere in the URI (also in a JDBC URL inside an option). */
    private static final Pattern USER_INFO = Pattern.compile("//([^/?#@:]*):([^/?#@]*)@");

    /** One option, its value as Camel reads it: up to the next {@code &}, or a whole {@code RAW(...)}. */
    private static final Pattern OPTION = Pattern.compile("([?&])([^=&?]+)=(RAW\\([^)]*\\)|RAW\\{[^}]*}|[^&?]*)");

    /** The URI as it may be shown or logged: passwords, tokens, keys and user names blotted. */
    public static String blotted(String uri) {
        if (uri == null) {
            return null;
        }
        String blotted = USER_INFO.matcher(uri).replaceAll("//$1:xxxxxx@");
        Matcher option = OPTION.matcher(blotted);
        StringBuilder out = new StringBuilder();
        while (option.find()) {
            String key = option.group(2);
            String value = SensitiveUtils.containsSensitive(key.trim()) || USER_OPTIONS.contains(
                    key.trim().toLowerCase(Locale.ROOT)) ? "xxxxxx" : option.group(3);
            option.appendReplacement(out, Matcher.quoteReplacement(option.group(1) + key + "=" + value));
        }
        option.appendTail(out);
        return out.toString();
    }

    /** The {@code kind:} of the connection to declare instead of calling {@code uri}'s component, or null. */
    static String connectionKind(String uri) {
        return KIND.get(component(uri));
    }

    private static String filePath(String uri) {
        String path = uri.substring(uri.indexOf(':') + 1);
        int query = path.indexOf('?');
        path = query < 0 ? path : path.substring(0, query);
        // file://data/out and file:data/out alike; file:///srv/out is absolute.
        return path.startsWith("//") ? path.substring(2) : path;
    }

    private static boolean under(String path, Path folder) {
        if (folder == null || path.isBlank() || path.contains("{{") || path.contains("${")) {
            return false;
        }
        try {
            return Path.of(path).toAbsolutePath().normalize().startsWith(folder.toAbsolutePath().normalize());
        } catch (InvalidPathException notAPath) {
            return false;
        }
    }
}
