package com.mlreef.offline.docker;

/**
 * What {@code GET /containers/{id}/logs} returns.
 *
 * @param tail  number of lines from the end, or -1 for all
 * @param since unix time in seconds, or 0 for the beginning
 */
public record LogOptions(boolean follow, int tail, long since, boolean timestamps) {
    public static final LogOptions ALL = new LogOptions(false, -1, 0, false);

    public static LogOptions tail(int lines) {
        return new LogOptions(false, lines, 0, false);
    }
}
