package io.switchboard.drill;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import io.switchboard.connect.SystemDouble;

/**
 * A file connection's double: a temporary folder of the drill's own, deleted when it ends. A
 * folder has no network to cut, so the outage case does not apply to it.
 */
final class ScratchFolder implements DrillDouble {

    private final String connection;
    private final Path folder;

    private ScratchFolder(String connection, Path folder) {
        this.connection = connection;
        this.folder = folder;
    }

    static ScratchFolder create(String connection, String marker) {
        try {
            return new ScratchFolder(connection, Files.createTempDirectory(marker + "-" + connection.replaceAll(
                    "[^A-Za-z0-9-]", "_") + "-"));
        } catch (IOException broken) {
            throw new IllegalStateException("the temporary folder for connection " + connection + " could not be "
                    + "made: " + broken.getMessage(), broken);
        }
    }

    @Override
    public String connection() {
        return connection;
    }

    @Override
    public SystemDouble clients() {
        return SystemDouble.folder(folder);
    }

    @Override
    public TcpFaultProxy proxy() {
        return null;
    }

    @Override
    public String describe() {
        return "a temporary folder";
    }

    /** Files whose name or content names {@code instance}. */
    @Override
    public Map<String, Integer> effects(String instance) {
        Map<String, Integer> effects = new TreeMap<>();
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path file : files.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString()
                    .endsWith(".part")).toList()) {
                if (file.getFileName().toString().contains(instance)
                        || new String(Files.readAllBytes(file), StandardCharsets.UTF_8).contains(instance)) {
                    effects.merge(connection + " file", 1, Integer::sum);
                }
            }
        } catch (IOException unreadable) {
            throw new IllegalStateException("the folder of " + connection + "'s double could not be read: "
                    + unreadable.getMessage(), unreadable);
        }
        return effects;
    }

    @Override
    public void close() {
        try (Stream<Path> files = Files.walk(folder)) {
            List<Path> deepestFirst = files.sorted(Comparator.reverseOrder()).toList();
            for (Path path : deepestFirst) {
                Files.deleteIfExists(path);
            }
        } catch (IOException left) {
            // a temporary folder: the system's own cleanup gets it
        }
    }
}
