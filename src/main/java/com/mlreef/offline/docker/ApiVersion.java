package com.mlreef.offline.docker;

/** A Docker API version such as 1.41, compared numerically (1.9 &lt; 1.41). */
public record ApiVersion(int major, int minor) implements Comparable<ApiVersion> {

    public static ApiVersion parse(String text) {
        String[] parts = text == null ? new String[0] : text.trim().split("\\.");
        try {
            if (parts.length == 2) {
                return new ApiVersion(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new DockerException("unreadable Docker API version: " + text);
    }

    @Override
    public int compareTo(ApiVersion o) {
        return major != o.major ? Integer.compare(major, o.major) : Integer.compare(minor, o.minor);
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }
}
