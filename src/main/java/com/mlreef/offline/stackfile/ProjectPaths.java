package com.mlreef.offline.stackfile;

import java.util.ArrayList;
import java.util.List;

/** Relative paths of a stack file: which sources are relative, and their place inside the project folder. */
final class ProjectPaths {
    private ProjectPaths() {
    }

    /** Whether a bind source is a path relative to the stack file's folder (./x, ../x, x/y, . or ..). */
    static boolean isRelative(String source) {
        return !source.startsWith("/") && !source.startsWith("~")
                && (source.startsWith(".") || source.contains("/"));
    }

    /**
     * A relative path inside the project folder, normalized ({@code ./conf/../a} is {@code a}; the folder itself is
     * {@code .}); an absolute path or one that leaves the folder is refused by name.
     */
    static String inside(String path, String where) {
        return inside(path, where, "which is all that export carries: move it into that folder, or give an absolute"
                + " path of the offline host");
    }

    /** The same, saying {@code why} after "outside the project folder (the stack file's folder), ". */
    static String inside(String path, String where, String why) {
        if (path.startsWith("/") || path.startsWith("~")) {
            throw new StackFileException(where + ": '" + path + "' is not a path relative to the stack file's folder");
        }
        if (path.indexOf('\0') >= 0 || path.contains("\\")) {
            throw new StackFileException(where + ": '" + path + "' has a character a carried path cannot have");
        }
        List<String> names = new ArrayList<>();
        for (String name : path.split("/")) {
            if (name.isEmpty() || name.equals(".")) {
                continue;
            }
            if (name.equals("..")) {
                if (names.isEmpty()) {
                    throw new StackFileException(where + ": '" + path + "' is outside the project folder (the stack"
                            + " file's folder), " + why);
                }
                names.remove(names.size() - 1);
                continue;
            }
            names.add(name);
        }
        return names.isEmpty() ? "." : String.join("/", names);
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
