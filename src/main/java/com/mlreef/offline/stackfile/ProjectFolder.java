package com.mlreef.offline.stackfile;

import com.mlreef.offline.ui.IoReason;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The folder a stack's relative paths resolve against, as Compose resolves them against the stack file's folder: on
 * the online host the project's checkout, on the offline host the stack folder that {@code run} keeps the carried
 * files in ({@code /var/lib/mlreef-offline/stacks/NAME} unless given). Env files ({@code env_file}, {@code .env}) are
 * read through it, so that {@code run} can read the copy it is about to put there before it does.
 */
public final class ProjectFolder {
    /** Where {@code run} keeps each stack's carried files, one folder per stack. */
    public static final Path STACKS = Path.of("/var/lib/mlreef-offline/stacks");
    /** The most an env file may hold. */
    public static final int MAX_ENV_BYTES = 1 << 20;

    /** The text of a file of the project by its relative path, or null when it is absent. */
    public interface Texts {
        String read(String relative) throws IOException;
    }

    private final Path root;
    private final Texts texts;

    private ProjectFolder(Path root, Texts texts) {
        this.root = root;
        this.texts = texts;
    }

    /** A project folder on disk (the stack file's folder), whose env files are read from it. */
    public static ProjectFolder of(Path root) {
        Path absolute = root.toAbsolutePath().normalize();
        return new ProjectFolder(absolute, relative -> readText(absolute.resolve(relative)));
    }

    /**
     * A stack folder whose files are read through {@code texts}; null {@code root}: {@link #STACKS}/NAME of the stack.
     */
    public static ProjectFolder at(Path root, Texts texts) {
        return new ProjectFolder(root == null ? null : root.toAbsolutePath().normalize(), texts);
    }

    /** The default stack folder, whose env files are not read (commands that only find the stack's containers). */
    public static ProjectFolder unread() {
        return new ProjectFolder(null, null);
    }

    /** The folder for stack {@code name}. */
    public Path root(String name) {
        return root != null ? root : STACKS.resolve(name);
    }

    /** Whether env files are read (else env_file and .env give no variables). */
    public boolean readsFiles() {
        return texts != null;
    }

    /** The text of a project file, or null when it is absent (or files are not read). */
    String text(String relative, String where) {
        if (texts == null) {
            return null;
        }
        try {
            return texts.read(relative);
        } catch (IOException e) {
            throw new StackFileException(where + ": cannot read " + relative + ": " + IoReason.of(e));
        }
    }

    /** A small text file's content, or null when it does not exist. */
    public static String readText(Path file) throws IOException {
        try {
            if (Files.isDirectory(file)) {
                throw new IOException("a folder, not a file");
            }
            if (Files.size(file) > MAX_ENV_BYTES) {
                throw new IOException("more than " + MAX_ENV_BYTES + " bytes: not an env file");
            }
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return null;
        }
    }
}
