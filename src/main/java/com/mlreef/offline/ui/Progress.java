package com.mlreef.offline.ui;

import java.util.Locale;

/**
 * Progress of long work in bytes: a bar redrawn in place when stderr is a terminal, else a plain line every few
 * seconds (logs and CI stay readable). Nothing with --quiet. Safe to update from several threads.
 */
public final class Progress implements AutoCloseable {
    private static final long REDRAW_NANOS = 100_000_000L;
    private static final long LINE_NANOS = 5_000_000_000L;
    private static final int BAR = 24;

    private final Console console;
    private final String label;
    private final long start = System.nanoTime();
    private long total;
    private long current;
    private long lastShown;
    private boolean drawn;

    private Progress(Console console, String label, long total) {
        this.console = console;
        this.label = label;
        this.total = total;
        this.lastShown = start;
    }

    /** @param total the expected number of bytes, or 0 when unknown */
    public static Progress start(Console console, String label, long total) {
        return new Progress(console, label, total);
    }

    public synchronized void total(long bytes) {
        total = bytes;
    }

    public synchronized void update(long bytes) {
        current = bytes;
        if (console.quiet()) {
            return;
        }
        long now = System.nanoTime();
        if (console.interactive()) {
            if (now - lastShown >= REDRAW_NANOS) {
                lastShown = now;
                console.err().print("\r\033[K" + bar(now));
                console.err().flush();
                drawn = true;
            }
        } else if (now - lastShown >= LINE_NANOS) {
            lastShown = now;
            console.info("  " + line(now));
        }
    }

    /** Removes the bar and prints a closing line. */
    public synchronized void done(String summary) {
        clear();
        console.info(summary);
    }

    @Override
    public synchronized void close() {
        clear();
    }

    private void clear() {
        if (drawn) {
            console.err().print("\r\033[K");
            console.err().flush();
            drawn = false;
        }
    }

    /** Nanoseconds since the start. */
    public long elapsed() {
        return System.nanoTime() - start;
    }

    private String bar(long now) {
        StringBuilder b = new StringBuilder(label).append(' ');
        if (total > 0) {
            int filled = (int) Math.min(BAR, current * BAR / total);
            b.append('[').append("#".repeat(filled)).append(".".repeat(BAR - filled)).append("] ");
        }
        return b.append(amounts(now)).toString();
    }

    private String line(long now) {
        return label + ": " + amounts(now);
    }

    private String amounts(long now) {
        double seconds = Math.max((now - start) / 1e9, 1e-3);
        String rate = Sizes.bytes((long) (current / seconds)) + "/s";
        if (total > 0) {
            return String.format(Locale.ROOT, "%s of %s (%d%%), %s", Sizes.bytes(current), Sizes.bytes(total),
                    Math.min(100, current * 100 / total), rate);
        }
        return Sizes.bytes(current) + ", " + rate;
    }
}
