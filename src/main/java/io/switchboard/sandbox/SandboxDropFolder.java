package io.switchboard.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The sandbox's drop folders under one root ({@code ./data/drop} by default): a partner's file
 * lands in {@code <root>/<folder>/<name>}. It is written beside under a hidden name and then
 * renamed, as an SFTP upload that finishes does, so a {@code file} trigger never reads half a file.
 */
final class SandboxDropFolder {

    /** A plain name: no path separators, no leading dot (a hidden, unfinished file). */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}");

    /** A file as the API shows it. */
    record DroppedFile(String folder, String name, long size, Instant modifiedAt) {
    }

    private final Path root;

    SandboxDropFolder(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    /**
     * Creates the folders the demo's file triggers read (e.g. {@code partner-orders}): a file
     * trigger refuses to start on a missing folder, and {@code data/} is not in the repository.
     */
    SandboxDropFolder create(List<String> folders) throws IOException {
        for (String folder : folders) {
            Files.createDirectories(folder(folder));
        }
        return this;
    }

    Path root() {
        return root;
    }

    DroppedFile drop(String folder, String name, byte[] content) throws IOException {
        Path directory = Files.createDirectories(folder(folder));
        Path target = directory.resolve(checked(name, "name"));
        Path partial = Files.createTempFile(directory, ".drop-", ".part");
        try {
            Files.write(partial, content);
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(partial);
        }
        return file(folder, target);
    }

    /** The files waiting in a folder (not its sub-folders, such as a trigger's done folder). */
    List<DroppedFile> list(String folder) throws IOException {
        Path directory = folder(folder);
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().startsWith("."))
                    .sorted().map(f -> file(folder, f)).toList();
        }
    }

    private Path folder(String folder) {
        return root.resolve(checked(folder, "folder"));
    }

    private static String checked(String value, String what) {
        if (value == null || !NAME.matcher(value).matches()) {
            throw SandboxError.badRequest("invalid_" + what, what + " must be a plain name (letters, digits, "
                    + "'.', '_', '-'; not starting with '.')");
        }
        return value;
    }

    private static DroppedFile file(String folder, Path file) {
        try {
            return new DroppedFile(folder, file.getFileName().toString(), Files.size(file),
                    Files.getLastModifiedTime(file).toInstant());
        } catch (IOException gone) {
            return new DroppedFile(folder, file.getFileName().toString(), -1, null);
        }
    }
}
