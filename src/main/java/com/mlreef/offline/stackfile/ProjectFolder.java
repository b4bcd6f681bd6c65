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
 * files in ({@code /var/lib/mlreef-offline/stacks/NAME} unless given), or the folder in it where the stack file lay in
 * the tree export carried (a stack file in {@code docker/} that mounts {@code ../conf}). Env files ({@code env_file},
 * {@code .env}) are read through it, so that {@code run} can read the copy it is about to put there before it does.
 */
public final class ProjectFolder {
    /** Where {@code run} keeps each stack's carried files, one folder per stack. */
    public static final Path STACKS = Path.of("/var/lib/mlreef-offline/stacks");
    /** The most an env file may hold. */
    public static final int MAX_ENV_BYTES = 1 << 20;

    /**
     * The text of a file of the project by its relative path (of the stack file's folder for a project folder, of
     * the stack folder for one run fills), or null when it is absent.
     */
    public interface Texts {
        String read(String relative) throws IOException;
    }

    private final Path root;
    private final String subpath;
    private final int above;
    private final Texts texts;
    /** Whether it is the project's own folder (export's), not a stack folder that run filled. */
    private final boolean checkout;

    private ProjectFolder(Path root, String subpath, int above, Texts texts, boolean checkout) {
        this.root = root;
        this.subpath = subpath;
        this.above = above;
        this.texts = texts;
        this.checkout = checkout;
    }

    /**
     * A project folder on disk (the stack file's folder), whose env files are read from it. Its relative paths may
     * lead above it, to any folder but {@code /}: export carries from the folder that holds them all.
     */
    public static ProjectFolder of(Path root) {
        Path absolute = root.toAbsolutePath().normalize();
        return new ProjectFolder(absolute, "", Math.max(0, absolute.getNameCount() - 1),
                relative -> readText(absolute.resolve(relative).normalize()), true);
    }

    /**
     * A stack folder whose files are read through {@code texts} (by their paths in the folder), the stack file lying
     * in its {@code subpath} ({@code ""}: the folder itself) as it lay in the tree export carried; null {@code root}:
     * {@link #STACKS}/NAME of the stack. Relative paths resolve against ROOT/SUBPATH and may not leave ROOT.
     */
    public static ProjectFolder at(Path root, String subpath, Texts texts) {
        String sub = subpath == null ? "" : subpath;
        if (!ProjectPaths.isSubpath(sub)) {
            throw new StackFileException("'" + sub + "' is not a plain relative path of folders (the stack file's"
                    + " place in the carried tree)");
        }
        return new ProjectFolder(root == null ? null : root.toAbsolutePath().normalize(), sub,
                sub.isEmpty() ? 0 : sub.split("/").length, texts, false);
    }

    /** The default stack folder, whose env files are not read (commands that only find the stack's containers). */
    public static ProjectFolder unread() {
        return unread("");
    }

    /** The same, the stack file lying in {@code subpath} of it. */
    public static ProjectFolder unread(String subpath) {
        return at(null, subpath, null);
    }

    /** The folder for stack {@code name}: the stack folder, or the project's folder above the stack file's. */
    public Path base(String name) {
        return root != null ? root : STACKS.resolve(name);
    }

    /** The folder the relative paths of stack {@code name} resolve against: the stack file's. */
    public Path root(String name) {
        return subpath.isEmpty() ? base(name) : base(name).resolve(subpath);
    }

    /** Where the stack file lies in the stack folder ({@code ""}: in the folder itself). */
    public String subpath() {
        return subpath;
    }

    /** A path of the stack folder (as bundle.json names carried files) as the stack file names it, relatively. */
    public String fromTree(String treePath) {
        return treePath == null ? null : ProjectPaths.fromTree(subpath, treePath);
    }

    /**
     * A relative path of the stack file normalized lexically, refused by name when it leads above what may be
     * carried: {@code /} on the online host, the stack folder on the offline one.
     */
    String relative(String path, String where) {
        String normalized = ProjectPaths.normalized(path, where);
        int ups = ProjectPaths.above(normalized);
        if (ups <= above) {
            return normalized;
        }
        if (checkout) {
            throw new StackFileException(where + ": '" + path + "' " + (ups > root.getNameCount() ? "climbs above"
                    : "leads up to") + " / (the filesystem root) from " + root + ", and export carries from the"
                    + " folder that holds the stack file's folder and every relative path, which cannot be /: keep"
                    + " it in a folder below /, or give an absolute path of the offline host");
        }
        throw new StackFileException(where + ": '" + path + "' leads above the stack folder"
                + (root == null ? "" : " " + root) + ", which holds all that the bundle carries (the stack file lies"
                + (subpath.isEmpty() ? " at its top" : " in '" + subpath + "' of it") + "): export the stack again");
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
            return texts.read(subpath.isEmpty() ? relative : ProjectPaths.inTree(subpath, relative));
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
