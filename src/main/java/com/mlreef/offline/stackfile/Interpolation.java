package com.mlreef.offline.stackfile;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Compose's variable syntax in values: {@code $VAR}, {@code ${VAR}}, {@code ${VAR:-default}} (unset or empty),
 * {@code ${VAR-default}} (unset), {@code ${VAR:+other}} (set and not empty) and {@code ${VAR+other}} (set),
 * {@code ${VAR:?message}} and {@code ${VAR?message}} (required), {@code $$} for a literal dollar. An unset variable without a default becomes empty, with a warning, as in Compose.
 */
public final class Interpolation {
    /** A literal dollar, or where a variable's name starts; names as {@link #isNameChar} takes them. */
    private static final Pattern REFERENCE = Pattern.compile("\\$\\$|\\$\\{?([A-Za-z_](?:[A-Za-z_]|\\p{Nd})*)");

    private final Map<String, String> variables;
    private final Consumer<String> warnings;
    private final Map<String, Set<String>> used = new LinkedHashMap<>();

    public Interpolation(Map<String, String> variables, Consumer<String> warnings) {
        this.variables = variables;
        this.warnings = warnings;
    }

    /** The variables each place named (its {@code where}), set or not. */
    public Map<String, Set<String>> used() {
        return used;
    }

    /** The variables {@code text} names, those of defaults and alternatives too, whatever their values. */
    static void names(String text, Consumer<String> into) {
        Matcher m = REFERENCE.matcher(text);
        while (m.find()) {
            if (m.group(1) != null) {
                into.accept(m.group(1));
            }
        }
    }

    /** Passes a warning on, as an unset variable's is. */
    void warn(String message) {
        warnings.accept(message);
    }

    /** A variable's value, or null when it is not set. */
    public String value(String name) {
        return variables.get(name);
    }

    /** A variable's value, or null when it is not set; recorded as used at {@code where}. */
    String value(String name, String where) {
        used.computeIfAbsent(where, w -> new LinkedHashSet<>()).add(name);
        return variables.get(name);
    }

    /** Whether {@code name} is a variable's name. */
    static boolean isName(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            if (!isNameChar(name.charAt(i), i == 0)) {
                return false;
            }
        }
        return true;
    }

    /** @param where the key's path, for messages */
    public String apply(String text, String where) {
        if (text.indexOf('$') < 0) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c != '$') {
                out.append(c);
                i++;
                continue;
            }
            if (i + 1 < text.length() && text.charAt(i + 1) == '$') {
                out.append('$');
                i += 2;
                continue;
            }
            if (i + 1 < text.length() && text.charAt(i + 1) == '{') {
                int close = closingBrace(text, i + 2);
                if (close < 0) {
                    throw new StackFileException(where + ": unclosed ${ in '" + text + "'");
                }
                out.append(expression(text.substring(i + 2, close), where));
                i = close + 1;
                continue;
            }
            int end = i + 1;
            while (end < text.length() && isNameChar(text.charAt(end), end == i + 1)) {
                end++;
            }
            if (end == i + 1) { // a lone $ (before a space, a digit, the end): kept as written, as in Compose
                out.append('$');
                i++;
                continue;
            }
            out.append(lookup(text.substring(i + 1, end), where));
            i = end;
        }
        return out.toString();
    }

    /** The index of the brace closing the expression that starts at {@code from}; nested ${...} are skipped. */
    private static int closingBrace(String text, int from) {
        int depth = 0;
        for (int j = from; j < text.length(); j++) {
            char c = text.charAt(j);
            if (c == '$' && j + 1 < text.length() && text.charAt(j + 1) == '{') {
                depth++;
                j++;
            } else if (c == '}') {
                if (depth == 0) {
                    return j;
                }
                depth--;
            }
        }
        return -1;
    }

    private String expression(String expr, String where) {
        int n = 0;
        while (n < expr.length() && isNameChar(expr.charAt(n), n == 0)) {
            n++;
        }
        String name = expr.substring(0, n);
        if (name.isEmpty()) {
            throw new StackFileException(where + ": invalid variable ${" + expr + "}");
        }
        String rest = expr.substring(n);
        if (rest.isEmpty()) {
            return lookup(name, where);
        }
        used.computeIfAbsent(where, w -> new LinkedHashSet<>()).add(name);
        String value = variables.get(name);
        if (rest.startsWith(":-")) {
            return value == null || value.isEmpty() ? apply(rest.substring(2), where) : value;
        }
        if (rest.startsWith("-")) {
            return value == null ? apply(rest.substring(1), where) : value;
        }
        if (rest.startsWith(":+")) {
            return value == null || value.isEmpty() ? "" : apply(rest.substring(2), where);
        }
        if (rest.startsWith("+")) {
            return value == null ? "" : apply(rest.substring(1), where);
        }
        if (rest.startsWith(":?") || rest.startsWith("?")) {
            boolean emptyFails = rest.startsWith(":?");
            if (value == null || emptyFails && value.isEmpty()) {
                String message = rest.substring(emptyFails ? 2 : 1);
                throw new StackFileException(where + ": " + (message.contains(name) ? message
                        : name + " must be set" + (message.isEmpty() ? "" : ": " + message)));
            }
            return value;
        }
        throw new StackFileException(where + ": invalid variable ${" + expr + "}");
    }

    private String lookup(String name, String where) {
        used.computeIfAbsent(where, w -> new LinkedHashSet<>()).add(name);
        String value = variables.get(name);
        if (value == null) {
            warnings.accept(where + ": " + name + " is not set; using an empty value");
            return "";
        }
        return value;
    }

    private static boolean isNameChar(char c, boolean first) {
        return c == '_' || Character.isLetter(c) && c < 128 || !first && Character.isDigit(c);
    }
}
