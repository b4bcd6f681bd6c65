package com.mlreef.offline.stackfile;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The problems of a stack file, collected as its readers meet them, so that one message names them all (sorted by
 * line) and a refused file is fixed in one round.
 */
final class Problems {
    private final String source;
    private final Set<String> seen = new LinkedHashSet<>();
    private final List<StackFileException> found = new ArrayList<>();

    /** @param source where the text came from, as messages name it */
    Problems(String source) {
        this.source = source;
    }

    void add(StackFileException problem) {
        if (seen.add(problem.getMessage())) {
            found.add(problem);
        }
    }

    /** Runs one part of the reading; its problem, if any, is kept and the reading goes on. */
    void attempt(Runnable part) {
        try {
            part.run();
        } catch (StackFileException e) {
            add(e);
        }
    }

    /** One part of the reading, or {@code fallback} when it has a problem, which is kept. */
    <T> T attempt(Supplier<T> part, T fallback) {
        try {
            return part.get();
        } catch (StackFileException e) {
            add(e);
            return fallback;
        }
    }

    boolean any() {
        return !found.isEmpty();
    }

    /** Throws the problems found: one as it is, several as one message, a line each, in the file's order. */
    void throwIfAny() {
        if (found.isEmpty()) {
            return;
        }
        if (found.size() == 1) {
            throw found.get(0);
        }
        List<StackFileException> sorted = new ArrayList<>(found);
        // problems without a line (a value's variables, a check across services) after those with one
        sorted.sort(Comparator.comparingInt(p -> p.line() == 0 ? Integer.MAX_VALUE : p.line()));
        StringBuilder message = new StringBuilder(source + " has " + sorted.size() + " problems:");
        String prefix = source + ": ";
        for (StackFileException p : sorted) {
            String text = p.getMessage();
            message.append("\n  ").append(text.startsWith(prefix) ? text.substring(prefix.length()) : text);
        }
        throw new StackFileException(message.toString(), sorted.get(0).line());
    }
}
