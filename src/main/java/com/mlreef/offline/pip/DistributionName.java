package com.mlreef.offline.pip;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A distribution's file name: a wheel ({@code name-version(-build)-python-abi-platform.whl}) or a source distribution
 * ({@code name-version.tar.gz} and the other archive forms pip accepts), and the project it belongs to.
 *
 * @param project the project's name as the file spells it
 */
public record DistributionName(String fileName, String project, String version, boolean wheel) {
    private static final Pattern SEPARATORS = Pattern.compile("[-_.]+");
    private static final Pattern SDIST = Pattern.compile("(.+)-([0-9][^-]*)");
    private static final List<String> SDIST_SUFFIXES = List.of(".tar.gz", ".tgz", ".zip", ".tar.bz2", ".tar.xz");

    /** The name as PEP 503 compares them: runs of {@code -_.} made one {@code -}, lower case. */
    public static String normalize(String name) {
        return SEPARATORS.matcher(name).replaceAll("-").toLowerCase(Locale.ROOT);
    }

    /** The file's distribution name, or null when the file is not a distribution. */
    public static DistributionName parse(String fileName) {
        if (fileName.startsWith(".")) {
            return null;
        }
        if (fileName.endsWith(".whl")) {
            String[] parts = fileName.substring(0, fileName.length() - 4).split("-", -1);
            if ((parts.length != 5 && parts.length != 6) || parts[0].isEmpty() || parts[1].isEmpty()) {
                return null;
            }
            return new DistributionName(fileName, parts[0], parts[1], true);
        }
        for (String suffix : SDIST_SUFFIXES) {
            if (fileName.endsWith(suffix)) {
                var m = SDIST.matcher(fileName.substring(0, fileName.length() - suffix.length()));
                return m.matches() ? new DistributionName(fileName, m.group(1), m.group(2), false) : null;
            }
        }
        return null;
    }

    /** The project's normalised name. */
    public String normalizedProject() {
        return normalize(project);
    }

    /** The media type the file is served with. */
    public String contentType() {
        if (wheel) {
            return "application/octet-stream";
        }
        if (fileName.endsWith(".zip")) {
            return "application/zip";
        }
        if (fileName.endsWith(".tar.bz2")) {
            return "application/x-bzip2";
        }
        if (fileName.endsWith(".tar.xz")) {
            return "application/x-xz";
        }
        return "application/gzip";
    }
}
