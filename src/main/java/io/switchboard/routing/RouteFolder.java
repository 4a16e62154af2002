package io.switchboard.routing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import io.switchboard.integration.CardFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/** Names, at start, the files in the routes folder that are not loaded because of their name. */
@Component
class RouteFolder {

    private static final Logger log = LoggerFactory.getLogger(RouteFolder.class);
    static final String SUFFIX = ".camel.yaml";

    private final Path directory;

    RouteFolder(@Value("${switchboard.routes.directory}") String directory) {
        this.directory = Path.of(directory);
    }

    @EventListener(ApplicationReadyEvent.class)
    void warnAboutIgnoredFiles() {
        for (Path file : ignored(directory)) {
            log.warn("{} is not loaded: only files named <integration>{} (routes) and <integration>{} (cards) in {} are; "
                    + "rename it if it is one", file, SUFFIX, CardFiles.SUFFIX, directory);
        }
    }

    /** Route-looking files (YAML, XML, Java) in the folder that the loader skips. */
    static List<Path> ignored(Path directory) {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(Files::isRegularFile)
                    .filter(file -> {
                        String name = file.getFileName().toString();
                        return !name.endsWith(SUFFIX) && !name.endsWith(CardFiles.SUFFIX) && !name.startsWith(".")
                                && name.matches(".*\\.(ya?ml|xml|java)$");
                    })
                    .sorted()
                    .toList();
        } catch (IOException unreadable) {
            return List.of();
        }
    }
}
