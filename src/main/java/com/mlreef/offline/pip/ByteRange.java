package com.mlreef.offline.pip;

/**
 * One byte range of a {@code Range} header (RFC 9110): {@code bytes=A-B}, {@code bytes=A-}, {@code bytes=-N}.
 * Several ranges, or another unit, are answered with the whole file, as the RFC allows.
 *
 * @param first the first byte
 * @param last  the last byte, inclusive
 */
record ByteRange(long first, long last) {
    /** A range no byte of the file satisfies (HTTP 416). */
    static final class Unsatisfiable extends Exception {
        Unsatisfiable() {
            super("range not satisfiable");
        }
    }

    long length() {
        return last - first + 1;
    }

    /** The range asked for, or null for the whole file. */
    static ByteRange parse(String header, long size) throws Unsatisfiable {
        if (header == null || !header.startsWith("bytes=") || header.indexOf(',') >= 0) {
            return null;
        }
        String spec = header.substring("bytes=".length()).strip();
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return null;
        }
        try {
            String from = spec.substring(0, dash).strip();
            String to = spec.substring(dash + 1).strip();
            if (from.isEmpty()) {
                long suffix = Long.parseLong(to);
                if (suffix <= 0 || size == 0) {
                    throw new Unsatisfiable();
                }
                return new ByteRange(Math.max(0, size - suffix), size - 1);
            }
            long first = Long.parseLong(from);
            long last = to.isEmpty() ? size - 1 : Math.min(Long.parseLong(to), size - 1);
            if (first < 0 || to.length() > 0 && Long.parseLong(to) < first) {
                return null; // invalid: ignored
            }
            if (first >= size) {
                throw new Unsatisfiable();
            }
            return new ByteRange(first, last);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
