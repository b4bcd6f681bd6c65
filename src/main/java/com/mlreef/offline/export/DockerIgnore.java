package com.mlreef.offline.export;

import com.mlreef.offline.bundle.BundleException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A build context's {@code .dockerignore}, matched as Docker matches it: each line a pattern cleaned like a path
 * ({@code ./a//b/} is {@code a/b}, a leading {@code /} dropped), {@code *} and {@code ?} within one name,
 * {@code [...]} classes, {@code **} across names, {@code #} comments, and {@code !} exceptions, the last pattern that
 * matches a path or one of its parent folders deciding.
 */
final class DockerIgnore {
    /** Nothing is left out. */
    static final DockerIgnore NONE = new DockerIgnore(List.of());

    private enum Kind { EXACT, PREFIX, SUFFIX, REGEX }

    /** One pattern: what it is cleaned to, whether it is an exception (!), and how it is matched. */
    private record Rule(String pattern, boolean exception, Kind kind, Pattern regex) {
        boolean matches(String path) {
            return switch (kind) {
                case EXACT -> path.equals(pattern);
                case PREFIX -> path.startsWith(pattern.substring(0, pattern.length() - 2));
                case SUFFIX -> path.endsWith(pattern.substring(2))
                        || pattern.length() > 3 && pattern.charAt(2) == '/' && path.equals(pattern.substring(3));
                case REGEX -> regex.matcher(path).matches();
            };
        }
    }

    private final List<Rule> rules;

    private DockerIgnore(List<Rule> rules) {
        this.rules = rules;
    }

    /**
     * The patterns of a .dockerignore's text.
     *
     * @param source the file, named in errors
     */
    static DockerIgnore parse(String text, String source) {
        List<String> patterns = new ArrayList<>();
        for (String line : text.split("\r?\n", -1)) {
            if (line.startsWith("#")) {
                continue;
            }
            String pattern = line.strip();
            if (pattern.isEmpty()) {
                continue;
            }
            boolean exception = pattern.startsWith("!");
            if (exception) {
                pattern = pattern.substring(1).strip();
            }
            if (!pattern.isEmpty()) {
                pattern = clean(pattern);
                if (pattern.length() > 1 && pattern.startsWith("/")) {
                    pattern = pattern.substring(1);
                }
            }
            patterns.add(exception ? "!" + pattern : pattern);
        }
        return of(patterns, source);
    }

    /** The patterns as given (each may start with {@code !}). */
    static DockerIgnore of(List<String> patterns, String source) {
        List<Rule> rules = new ArrayList<>();
        for (String p : patterns) {
            String pattern = p.strip();
            if (pattern.isEmpty()) {
                continue;
            }
            pattern = clean(pattern);
            boolean exception = pattern.startsWith("!");
            if (exception) {
                if (pattern.length() == 1) {
                    throw new BundleException(source + ": '!' alone is not a pattern (give what it keeps: !NAME)");
                }
                pattern = pattern.substring(1);
            }
            rules.add(compile(pattern, exception, source));
        }
        return new DockerIgnore(List.copyOf(rules));
    }

    /** These patterns and then exceptions for {@code paths}, which are always sent whatever the patterns say. */
    DockerIgnore keeping(List<String> paths) {
        if (rules.isEmpty()) {
            return this;
        }
        List<Rule> all = new ArrayList<>(rules);
        for (String path : paths) {
            all.add(new Rule(clean(path), true, Kind.EXACT, null));
        }
        return new DockerIgnore(List.copyOf(all));
    }

    /** Whether the path (relative to the context, with {@code /}) is left out: it or a parent folder matches last. */
    boolean excludes(String path) {
        boolean matched = false;
        int slash = path.lastIndexOf('/');
        String parent = slash < 0 ? "." : path.substring(0, slash);
        for (Rule rule : rules) {
            if (rule.exception() != matched) {
                continue; // an exception only matters once something matched, a pattern only until then
            }
            boolean match = rule.matches(path);
            if (!match && !parent.equals(".")) {
                for (int end = parent.indexOf('/'); !match; end = parent.indexOf('/', end + 1)) {
                    match = rule.matches(end < 0 ? parent : parent.substring(0, end));
                    if (end < 0) {
                        break;
                    }
                }
            }
            if (match) {
                matched = !rule.exception();
            }
        }
        return matched;
    }

    /** Whether a left-out folder must still be walked: an exception may keep something inside it. */
    boolean mayKeepInside(String folder) {
        String prefix = folder + "/";
        return rules.stream().anyMatch(r -> r.exception() && (r.pattern() + "/").startsWith(prefix));
    }

    /**
     * A pattern made into a matcher as Docker's pattern matcher does: a plain name compares whole, {@code x/**} as a
     * prefix, a leading {@code **} as a suffix, anything else as a regular expression.
     */
    private static Rule compile(String pattern, boolean exception, String source) {
        StringBuilder regex = new StringBuilder();
        Kind kind = Kind.EXACT;
        boolean inClass = false;
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (inClass) {
                inClass = c != ']';
                regex.append(c == '[' || c == '&' ? "\\" + c : c == '\\' && i + 1 < pattern.length()
                        ? literal(pattern.charAt(++i)) : String.valueOf(c));
            } else if (c == '*' && i + 1 < pattern.length() && pattern.charAt(i + 1) == '*') {
                int start = i;
                i++;
                if (i + 1 < pattern.length() && pattern.charAt(i + 1) == '/') {
                    i++; // **/ is **
                }
                if (i + 1 >= pattern.length()) {
                    regex.append(".*");
                    kind = kind == Kind.EXACT ? Kind.PREFIX : Kind.REGEX;
                } else {
                    regex.append("(.*/)?");
                    kind = Kind.REGEX;
                }
                if (start == 0) {
                    kind = Kind.SUFFIX;
                }
            } else if (c == '*' || c == '?') {
                regex.append(c == '*' ? "[^/]*" : "[^/]");
                kind = Kind.REGEX;
            } else if (c == '\\') {
                if (i + 1 < pattern.length()) {
                    regex.append(literal(pattern.charAt(++i)));
                    kind = Kind.REGEX;
                } else {
                    regex.append("\\\\");
                }
            } else if (c == '[' || c == ']') {
                inClass = c == '[';
                regex.append(c);
                kind = Kind.REGEX;
            } else {
                regex.append(literal(c));
            }
        }
        try {
            return new Rule(pattern, exception, kind, kind == Kind.REGEX ? Pattern.compile(regex.toString()) : null);
        } catch (PatternSyntaxException e) {
            throw new BundleException(source + ": '" + pattern + "' is not a valid pattern (" + e.getDescription()
                    + ")");
        }
    }

    /** A character matched as itself. */
    private static String literal(char c) {
        return Character.isLetterOrDigit(c) ? String.valueOf(c) : "\\" + c;
    }

    /**
     * A path cleaned as Go's {@code filepath.Clean} cleans it: repeated slashes and {@code .} names removed,
     * {@code name/..} removed, {@code ..} at the root of an absolute path removed, no trailing slash; empty is
     * {@code .}.
     */
    static String clean(String path) {
        boolean rooted = path.startsWith("/");
        List<String> names = new ArrayList<>();
        for (String name : path.split("/")) {
            if (name.isEmpty() || name.equals(".")) {
                continue;
            }
            if (name.equals("..")) {
                if (!names.isEmpty() && !names.get(names.size() - 1).equals("..")) {
                    names.remove(names.size() - 1);
                } else if (!rooted) {
                    names.add(name);
                }
                continue;
            }
            names.add(name);
        }
        String joined = String.join("/", names);
        if (rooted) {
            return "/" + joined;
        }
        return joined.isEmpty() ? "." : joined;
    }
}
