package com.mlreef.offline.stackfile;

import java.util.ArrayList;
import java.util.List;

/**
 * Relative paths of a stack file: which sources are relative, normalized as Compose resolves them, and their place in
 * the tree export carries (the stack file's folder, or a folder above it that holds every path the stack references).
 */
final class ProjectPaths {
    private ProjectPaths() {
    }

    /** Whether a bind source is a path relative to the stack file's folder (./x, ../x, x/y, . or ..). */
    static boolean isRelative(String source) {
        return !source.startsWith("/") && !source.startsWith("~")
                && (source.startsWith(".") || source.contains("/"));
    }

    /**
     * A relative path normalized lexically, as Compose resolves it against the stack file's folder ({@code ./conf/../a}
     * is {@code a}, {@code ./x/../../data} is {@code ../data}; the folder itself is {@code .}); an absolute path, or one
     * with a character a carried path cannot have, is refused by name.
     */
    static String normalized(String path, String where) {
        if (path.startsWith("/") || path.startsWith("~")) {
            throw new StackFileException(where + ": '" + path + "' is not a path relative to the stack file's folder");
        }
        if (path.indexOf('\0') >= 0 || path.contains("\\")) {
            throw new StackFileException(where + ": '" + path.replace('\0', '?') + "' has a character a carried path"
                    + " cannot have");
        }
        List<String> names = new ArrayList<>();
        for (String name : path.split("/")) {
            if (name.isEmpty() || name.equals(".")) {
                continue;
            }
            if (name.equals("..") && !names.isEmpty() && !names.get(names.size() - 1).equals("..")) {
                names.remove(names.size() - 1);
                continue;
            }
            names.add(name);
        }
        return names.isEmpty() ? "." : String.join("/", names);
    }

    /** How many folders above the stack file's folder a normalized relative path starts ({@code ../../x}: 2). */
    static int above(String normalized) {
        int ups = 0;
        for (String name : normalized.split("/")) {
            if (!name.equals("..")) {
                break;
            }
            ups++;
        }
        return ups;
    }

    /**
     * A normalized relative path of the stack file's folder as a path of the carried tree, in which the stack file's
     * folder is {@code subpath} ({@code ""}: the tree itself): {@code ../conf} with subpath {@code docker} is
     * {@code conf}; {@code .} with subpath {@code ""} stays {@code .}.
     */
    static String inTree(String subpath, String normalized) {
        String joined = subpath.isEmpty() ? normalized : normalized(subpath + "/" + normalized, "the carried tree");
        if (above(joined) > 0) {
            throw new StackFileException("'" + normalized + "' is above the carried tree, in which the stack file's"
                    + " folder is '" + subpath + "'");
        }
        return joined;
    }

    /** The reverse of {@link #inTree}: a path of the carried tree as a relative path of the stack file's folder. */
    static String fromTree(String subpath, String treePath) {
        if (subpath.isEmpty()) {
            return treePath;
        }
        if (treePath.equals(subpath)) {
            return ".";
        }
        if (treePath.startsWith(subpath + "/")) {
            return treePath.substring(subpath.length() + 1);
        }
        return "../".repeat(subpath.split("/").length) + treePath;
    }

    /** Whether a subpath of a carried tree is plain: empty, or names (none {@code .} or {@code ..}) between slashes. */
    static boolean isSubpath(String subpath) {
        if (subpath.isEmpty()) {
            return true;
        }
        if (subpath.startsWith("/") || subpath.indexOf('\0') >= 0 || subpath.contains("\\")) {
            return false;
        }
        for (String name : subpath.split("/", -1)) {
            if (name.isEmpty() || name.equals(".") || name.equals("..")) {
                return false;
            }
        }
        return true;
    }

    /**
     * A relative path normalized, leading {@code ..} kept ({@code ./app/../app/} is {@code app}, {@code ../x/..} is
     * {@code ..}); one that holds a NUL is refused.
     */
    static String normalizedRelative(String path, String where) {
        if (path.indexOf('\0') >= 0) {
            throw new StackFileException(where + ": '" + path.replace('\0', '?') + "' has a NUL character");
        }
        String normalized = java.nio.file.Path.of(path).normalize().toString();
        return normalized.isEmpty() ? "." : normalized;
    }

    /** An absolute path as the user gave it, normalized; one that names no file, or holds a NUL, is refused. */
    static String normalizedAbsolute(String path, String where) {
        if (path.indexOf('\0') >= 0) {
            throw new StackFileException(where + ": '" + path.replace('\0', '?') + "' has a NUL character");
        }
        return java.nio.file.Path.of(path).normalize().toString();
    }
}
