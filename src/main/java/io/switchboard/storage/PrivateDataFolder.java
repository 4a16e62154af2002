package io.switchboard.storage;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.context.event.SpringApplicationEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.core.env.Environment;

/**
 * Keeps the embedded database's folder ({@code ./data} by default) to the server's own user on
 * POSIX file systems: the folder {@code 0700}, the database's files and the demo's generated
 * token key {@code 0600}. The H2 file holds raw payloads, and H2 writes its files with the
 * process's umask (usually world-readable).
 * <p>
 * Runs before any bean exists (so before the data source opens), creating a missing folder
 * private from the start and tightening an existing one, and once more when the server is
 * ready, for the files H2 created on the first start. A folder others may write to (such as
 * {@code /tmp}), the home folder and the root are shared: only the database's own files in
 * them are tightened. Registered in {@code META-INF/spring.factories}.
 */
public class PrivateDataFolder implements ApplicationListener<SpringApplicationEvent> {

    private static final Logger log = LoggerFactory.getLogger(PrivateDataFolder.class);

    static final Set<PosixFilePermission> FOLDER = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    @Override
    public void onApplicationEvent(SpringApplicationEvent event) {
        if (event instanceof ApplicationEnvironmentPreparedEvent prepared) {
            secure(prepared.getEnvironment());
        } else if (event instanceof ApplicationReadyEvent ready) {
            secure(ready.getApplicationContext().getEnvironment());
        }
    }

    private static void secure(Environment environment) {
        Path database = databaseFile(environment.getProperty("spring.datasource.url"));
        if (database != null) {
            secure(database);
        }
        String keyFile = environment.getProperty("switchboard.encryption.generated-key-file");
        if (keyFile != null && !keyFile.isBlank()) {
            secure(Path.of(keyFile.trim()));
        }
    }

    /**
     * Makes {@code file}'s folder private (creating it if missing) and {@code file}, and the
     * database files named after it ({@code switchboard.mv.db}, {@code switchboard.trace.db},
     * ...), readable by the owner only. Does nothing where the file system has no POSIX
     * permissions (Windows keeps the folder's ACL).
     */
    static void secure(Path file) {
        Path absolute = file.toAbsolutePath().normalize();
        Path folder = absolute.getParent();
        if (folder == null) {
            return;
        }
        try {
            if (Files.notExists(folder)) {
                createPrivate(folder);
            } else if (!posix(folder)) {
                return;
            } else if (isShared(folder)) {
                log.debug("{} is shared with other users; leaving its permissions, tightening the database's files",
                        folder);
            } else {
                Files.setPosixFilePermissions(folder, FOLDER);
            }
            if (!posix(folder)) {
                return;
            }
            String name = absolute.getFileName().toString();
            try (DirectoryStream<Path> files = Files.newDirectoryStream(folder, entry ->
                    entry.getFileName().toString().equals(name)
                            || entry.getFileName().toString().startsWith(name + "."))) {
                for (Path entry : files) {
                    if (Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS)) {
                        Files.setPosixFilePermissions(entry, FILE);
                    }
                }
            }
        } catch (IOException | SecurityException refused) {
            log.warn("Could not make {} private to this user ({}): restrict it yourself (chmod 700 {}, 600 the files "
                    + "in it); it holds the events' payloads", folder, refused.getMessage(), folder);
        }
    }

    /**
     * The H2 file database's path in {@code url} ({@code jdbc:h2:file:./data/switchboard} or
     * {@code jdbc:h2:./data/switchboard}); {@code null} for any other database, an in-memory
     * one or a server.
     */
    static Path databaseFile(String url) {
        if (url == null || !url.regionMatches(true, 0, "jdbc:h2:", 0, 8)) {
            return null;
        }
        String rest = url.substring(8);
        int options = rest.indexOf(';');
        String path = (options < 0 ? rest : rest.substring(0, options)).trim();
        if (path.toLowerCase(Locale.ROOT).startsWith("file:")) {
            path = path.substring(5);
        } else if (!(path.startsWith(".") || path.startsWith("/") || path.startsWith("~")
                || path.matches("(?i)[a-z]:[\\\\/].*"))) {
            return null; // mem:, tcp:, ssl:, zip: and the like
        }
        if (path.startsWith("~")) {
            path = System.getProperty("user.home") + path.substring(1);
        }
        return path.isEmpty() ? null : Path.of(path);
    }

    private static void createPrivate(Path folder) throws IOException {
        Path parent = folder.getParent();
        if (parent != null && Files.notExists(parent)) {
            Files.createDirectories(parent);
        }
        if (posix(parent == null ? folder.getRoot() : parent)) {
            Files.createDirectory(folder, PosixFilePermissions.asFileAttribute(FOLDER));
            // The umask may have taken bits off, never added any; set exactly what is meant.
            Files.setPosixFilePermissions(folder, FOLDER);
        } else {
            Files.createDirectory(folder);
        }
    }

    /** A folder other users work in too: writable by others, the home folder, or the root. */
    private static boolean isShared(Path folder) throws IOException {
        String home = System.getProperty("user.home");
        return Files.getPosixFilePermissions(folder).contains(PosixFilePermission.OTHERS_WRITE)
                || folder.getParent() == null
                || (home != null && folder.equals(Path.of(home).toAbsolutePath().normalize()));
    }

    private static boolean posix(Path path) {
        return path != null && Files.getFileAttributeView(path, PosixFileAttributeView.class) != null;
    }
}
