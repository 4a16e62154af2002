package io.switchboard.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.DefaultBootstrapContext;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.support.SpringFactoriesLoader;

/** The database's folder and files are the server user's alone, made so before the database opens. */
class PrivateDataFolderTest {

    @TempDir
    Path temp;

    @BeforeEach
    void posixOnly() {
        assumeTrue(Files.getFileAttributeView(temp, PosixFileAttributeView.class) != null, "POSIX file system");
    }

    @Test
    void aMissingDataFolderIsCreatedOwnerOnlyBeforeTheDatabaseOpens() throws Exception {
        Path data = temp.resolve("data");

        start("jdbc:h2:file:" + data.resolve("switchboard") + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE",
                data.resolve("encryption.key"));

        assertThat(mode(data)).isEqualTo("rwx------");
    }

    @Test
    void anExistingWorldReadableDatabaseAndKeyAreTightened() throws Exception {
        Path data = Files.createDirectory(temp.resolve("data"));
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path database = readableFile(data.resolve("switchboard.mv.db"));
        Path trace = readableFile(data.resolve("switchboard.trace.db"));
        Path key = readableFile(data.resolve("encryption.key"));
        Path unrelated = readableFile(data.resolve("notes.txt"));

        start("jdbc:h2:file:" + data.resolve("switchboard") + ";MODE=PostgreSQL", key);

        assertThat(mode(data)).isEqualTo("rwx------");
        assertThat(mode(database)).isEqualTo("rw-------");
        assertThat(mode(trace)).isEqualTo("rw-------");
        assertThat(mode(key)).isEqualTo("rw-------");
        assertThat(mode(unrelated)).as("not the server's file").isEqualTo("rw-r--r--");
    }

    @Test
    void theFilesH2CreatesOnTheFirstStartAreTightenedOnceTheServerIsReady() throws Exception {
        Path data = temp.resolve("data");
        String url = "jdbc:h2:file:" + data.resolve("switchboard") + ";MODE=PostgreSQL";
        Path key = data.resolve("encryption.key");
        start(url, key);
        // What H2 and the key generator write with a 022 umask while the context starts.
        Path database = readableFile(data.resolve("switchboard.mv.db"));
        Path generatedKey = readableFile(key);

        try (GenericApplicationContext context = new GenericApplicationContext()) {
            context.setEnvironment(environment(url, key));
            context.refresh();
            new PrivateDataFolder().onApplicationEvent(new ApplicationReadyEvent(new SpringApplication(), new String[0],
                    context, Duration.ZERO));
        }

        assertThat(mode(database)).isEqualTo("rw-------");
        assertThat(mode(generatedKey)).isEqualTo("rw-------");
    }

    @Test
    void aFolderSharedWithOthersKeepsItsModeButTheDatabaseFilesAreTightened() throws Exception {
        Path shared = Files.createDirectory(temp.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path database = readableFile(shared.resolve("switchboard.mv.db"));

        PrivateDataFolder.secure(shared.resolve("switchboard"));

        assertThat(mode(shared)).isEqualTo("rwxrwxrwx");
        assertThat(mode(database)).isEqualTo("rw-------");
    }

    @Test
    void onlyAnH2FileDatabaseHasAFolder() {
        assertThat(PrivateDataFolder.databaseFile("jdbc:h2:file:./data/switchboard;MODE=PostgreSQL"))
                .isEqualTo(Path.of("./data/switchboard"));
        assertThat(PrivateDataFolder.databaseFile("jdbc:h2:./data/switchboard")).isEqualTo(Path.of("./data/switchboard"));
        assertThat(PrivateDataFolder.databaseFile("jdbc:h2:mem:switchboard;DB_CLOSE_DELAY=-1")).isNull();
        assertThat(PrivateDataFolder.databaseFile("jdbc:h2:tcp://db/switchboard")).isNull();
        assertThat(PrivateDataFolder.databaseFile("jdbc:postgresql://db/switchboard")).isNull();
        assertThat(PrivateDataFolder.databaseFile(null)).isNull();
    }

    @Test
    void springBootRunsItOnEveryStart() {
        assertThat(SpringFactoriesLoader.forDefaultResourceLocation(getClass().getClassLoader())
                .load(ApplicationListener.class)).anyMatch(PrivateDataFolder.class::isInstance);
    }

    /** What Spring Boot does first on start, before any bean (the data source included) exists. */
    private static void start(String url, Path keyFile) {
        new PrivateDataFolder().onApplicationEvent(new ApplicationEnvironmentPreparedEvent(new DefaultBootstrapContext(),
                new SpringApplication(), new String[0], environment(url, keyFile)));
    }

    private static StandardEnvironment environment(String url, Path keyFile) {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("test", Map.of("spring.datasource.url", url,
                "switchboard.encryption.generated-key-file", keyFile.toString())));
        return environment;
    }

    private static Path readableFile(Path file) throws Exception {
        Files.writeString(file, "x");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        return file;
    }

    private static String mode(Path path) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }
}
