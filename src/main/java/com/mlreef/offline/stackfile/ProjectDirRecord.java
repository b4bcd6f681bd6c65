package com.mlreef.offline.stackfile;

import com.mlreef.offline.ui.ExitCode;
import com.mlreef.offline.ui.IoReason;
import com.mlreef.offline.ui.ToolException;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.function.Consumer;

/**
 * The stack folder that {@code run --project-dir} gave a stack, kept beside the default stack folders as
 * {@code STACKS/NAME.project-dir} (one absolute path and a newline), so that the next run without --project-dir
 * finds it even after {@code down} removed the containers that recorded it. A stack's name has no dot, so the file
 * is never a stack's folder.
 */
public final class ProjectDirRecord {
    static final String SUFFIX = ".project-dir";
    /** A stack's name as a stack file gives it: anything else (a label set by hand) has no record. */
    private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[a-z0-9][a-z0-9_-]{0,200}");
    private static final int MAX_BYTES = 4096;

    private final Path stacks;

    public ProjectDirRecord(Path stacks) {
        this.stacks = stacks;
    }

    /** The record of {@link ProjectFolder#STACKS}. */
    public static ProjectDirRecord standard() {
        return new ProjectDirRecord(ProjectFolder.STACKS);
    }

    /** The file that records stack {@code name}'s folder. */
    public Path file(String name) {
        return stacks.resolve(name + SUFFIX);
    }

    /**
     * The folder recorded for stack {@code name}, or null when there is none; a record that is not one absolute,
     * normalized path of a folder other than / and the stacks' own is warned about and ignored.
     */
    public Path read(String name, Consumer<String> warnings) {
        if (!NAME.matcher(name).matches()) {
            return null;
        }
        Path file = file(name);
        String text;
        try {
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                    warnings.accept("ignored " + file + ": not a plain file");
                }
                return null;
            }
            if (Files.size(file) > MAX_BYTES) {
                warnings.accept("ignored " + file + ": more than " + MAX_BYTES + " bytes, not a folder's path");
                return null;
            }
            text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file)))
                    .toString();
        } catch (NoSuchFileException e) {
            return null;
        } catch (CharacterCodingException e) {
            warnings.accept("ignored " + file + ": not text (UTF-8)");
            return null;
        } catch (IOException e) {
            warnings.accept("ignored " + file + ": " + IoReason.of(e));
            return null;
        }
        String path = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        String problem = problem(path, name);
        if (problem != null) {
            warnings.accept("ignored " + file + ": " + problem + " (--project-dir gives the stack folder)");
            return null;
        }
        return Path.of(path);
    }

    /** What is wrong with a recorded path, or null. */
    String problem(String path, String name) {
        if (path.isEmpty() || path.indexOf('\0') >= 0 || path.indexOf('\n') >= 0 || path.indexOf('\r') >= 0) {
            return "not one path on one line";
        }
        if (!path.startsWith("/")) {
            return "'" + path + "' is not an absolute path";
        }
        Path folder = Path.of(path);
        if (!folder.normalize().toString().equals(path)) {
            return "'" + path + "' is not a normalized path (no . or .. or double slashes)";
        }
        if (folder.getNameCount() == 0 || folder.equals(stacks) || folder.equals(stacks.resolve(name))) {
            return "'" + path + "' is not a folder of its own for the stack";
        }
        return null;
    }

    /**
     * Records {@code folder} for stack {@code name} (written whole, then renamed); the default folder, or null,
     * removes the record.
     */
    public void write(String name, Path folder) {
        if (!NAME.matcher(name).matches()) {
            return;
        }
        Path file = file(name);
        try {
            Path absolute = folder == null ? null : folder.toAbsolutePath().normalize();
            if (absolute == null || absolute.equals(stacks.resolve(name))) {
                Files.deleteIfExists(file);
                return;
            }
            Files.createDirectories(stacks);
            Path temporary = stacks.resolve("." + name + SUFFIX + ".tmp");
            Files.writeString(temporary, absolute + "\n", StandardCharsets.UTF_8);
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new ToolException(ExitCode.FAILED, "recording the stack folder of " + name + " in " + file + ": "
                    + IoReason.of(e));
        }
    }

    /** Removes the record of stack {@code name}, if any. */
    public void forget(String name) {
        write(name, null);
    }
}
