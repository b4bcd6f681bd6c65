package com.mlreef.offline.bundle;

import com.mlreef.offline.bundle.BundleManifest.Project;
import com.mlreef.offline.bundle.BundleManifest.ProjectEntry;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The project files bundle.json lists, checked before run writes any of them: plain relative paths (no {@code ..},
 * nothing absolute), each once, below a folder listed before them, links that stay inside the project; the stack
 * file's place among them (subpath) plain too.
 */
public final class ProjectCheck {
    private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");
    private static final Set<String> TYPES = Set.of(ProjectEntry.FILE, ProjectEntry.DIR, ProjectEntry.LINK);

    private ProjectCheck() {
    }

    /** What is wrong with the project part of bundle.json, or null (none is fine). */
    static String problem(Project p) {
        if (p == null) {
            return null;
        }
        if (!Project.FILE_NAME.equals(p.file()) || p.sha256() == null || !HEX.matcher(p.sha256()).matches()
                || p.size() < 0 || p.entries() == null) {
            return "not " + Project.FILE_NAME + " with a size and sha256 and its entries";
        }
        if (!p.stackFolder().isEmpty() && !isPlain(p.stackFolder())) {
            return "subpath '" + p.subpath() + "' is not empty nor a plain relative path (no .., not absolute)";
        }
        if (p.envFile() != null && !isPlain(p.envFile())) {
            return "envFile '" + p.envFile() + "' is not a plain relative path";
        }
        Set<String> seen = new HashSet<>();
        for (ProjectEntry e : p.entries()) {
            String problem = entryProblem(e, seen);
            if (problem != null) {
                return problem;
            }
            seen.add(e.path());
        }
        return null;
    }

    private static String entryProblem(ProjectEntry e, Set<String> seen) {
        if (e == null || !isPlain(e.path()) || !TYPES.contains(e.type())) {
            return "an entry is not a plain relative path with a type (file, dir, link): "
                    + (e == null ? "null" : "'" + e.path() + "'");
        }
        if (seen.contains(e.path())) {
            return e.path() + " is listed twice";
        }
        int slash = e.path().lastIndexOf('/');
        if (slash > 0 && !seen.contains(e.path().substring(0, slash))) {
            return e.path() + " comes before its folder";
        }
        if (e.mode() < 0 || e.mode() > 07777 || e.uid() < 0 || e.gid() < 0) {
            return e.path() + ": mode or owner out of range";
        }
        if (e.type().equals(ProjectEntry.FILE) && (e.sha256() == null || !HEX.matcher(e.sha256()).matches()
                || e.size() < 0)) {
            return e.path() + ": a file needs its size and sha256";
        }
        if (e.type().equals(ProjectEntry.LINK) && !linkInside(e.path(), e.link())) {
            return e.path() + ": a link to '" + e.link() + "', outside the project";
        }
        return null;
    }

    /** A relative path of names, none of them empty, {@code .} or {@code ..}. */
    public static boolean isPlain(String path) {
        if (path == null || path.isEmpty() || path.startsWith("/") || path.indexOf('\0') >= 0
                || path.length() > 4096) {
            return false;
        }
        for (String name : path.split("/", -1)) {
            if (name.isEmpty() || name.equals(".") || name.equals("..")) {
                return false;
            }
        }
        return true;
    }

    /** Whether a link's target, relative to the link's folder, stays inside the project. */
    public static boolean linkInside(String path, String link) {
        if (link == null || link.isEmpty() || link.startsWith("/") || link.indexOf('\0') >= 0) {
            return false;
        }
        int depth = path.split("/").length - 1;
        for (String name : List.of(link.split("/"))) {
            depth += name.equals("..") ? -1 : name.isEmpty() || name.equals(".") ? 0 : 1;
            if (depth < 0) {
                return false;
            }
        }
        return true;
    }
}
