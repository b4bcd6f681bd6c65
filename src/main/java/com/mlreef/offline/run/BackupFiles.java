package com.mlreef.offline.run;

import com.mlreef.offline.bundle.AtomicFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The files of the backups run makes before an upgrade, in their folder: {@code STACK-before-upgrade-DATE-TIME.tar.zst}
 * (UTC; {@code -2}, {@code -3} added when that name is taken), each with its {@code .sha256} beside it. The name is
 * their mark: only files of that form are ever removed, never a backup the user made.
 */
public final class BackupFiles {
    /** How many automatic backups of a stack are kept. */
    public static final int KEPT = 3;
    static final String MARK = "-before-upgrade-";
    private static final String SUFFIX = ".tar.zst";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
            .withZone(ZoneOffset.UTC);

    private BackupFiles() {
    }

    /** A stack's automatic backup: its file, when it was made, its rank among those of the same second. */
    record Automatic(Path file, String stamp, int rank) {
    }

    /** The file of a new automatic backup of the stack made at {@code now}: a name no file in {@code dir} has. */
    static Path next(Path dir, String stack, Instant now) {
        String base = stack + MARK + STAMP.format(now);
        Path file = dir.resolve(base + SUFFIX);
        for (int rank = 2; taken(file); rank++) {
            file = dir.resolve(base + "-" + rank + SUFFIX);
        }
        return file;
    }

    private static boolean taken(Path file) {
        return Files.exists(file) || Files.exists(sumsOf(file));
    }

    /** The file beside a backup that holds its sha256. */
    static Path sumsOf(Path backup) {
        return backup.resolveSibling(backup.getFileName() + ".sha256");
    }

    /** The stack's automatic backups in {@code dir}, oldest first; none when the folder does not exist. */
    static List<Automatic> automatic(Path dir, String stack) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        Pattern mark = mark(stack, "");
        List<Automatic> found = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.forEach(f -> {
                Matcher m = mark.matcher(f.getFileName().toString());
                if (m.matches() && Files.isRegularFile(f)) {
                    found.add(new Automatic(f, m.group(1), m.group(2) == null ? 1 : Integer.parseInt(m.group(2))));
                }
            });
        }
        found.sort(Comparator.comparing(Automatic::stamp).thenComparingInt(Automatic::rank));
        return found;
    }

    /**
     * Removes the stack's automatic backups beyond the {@code kept} newest (each with its .sha256); returns those
     * removed.
     */
    static List<Path> rotate(Path dir, String stack, int kept) throws IOException {
        List<Automatic> all = automatic(dir, stack);
        List<Path> removed = new ArrayList<>();
        for (Automatic old : all.subList(0, Math.max(0, all.size() - kept))) {
            Files.deleteIfExists(sumsOf(old.file()));
            Files.delete(old.file());
            removed.add(old.file());
        }
        return removed;
    }

    /** Removes what an interrupted automatic backup of the stack left ({@code NAME.partial}); returns those removed. */
    static List<Path> removePartial(Path dir, String stack) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        Pattern partial = mark(stack, AtomicFile.PARTIAL);
        List<Path> removed = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(f -> partial.matcher(f.getFileName().toString()).matches()).toList()) {
                if (Files.isRegularFile(f)) {
                    Files.delete(f);
                    removed.add(f);
                }
            }
        }
        return removed;
    }

    private static Pattern mark(String stack, String tail) {
        return Pattern.compile(Pattern.quote(stack + MARK) + "([0-9]{8}-[0-9]{6})(?:-([1-9][0-9]{0,5}))?"
                + Pattern.quote(SUFFIX + tail));
    }
}
