package com.mlreef.offline.stackfile;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Compose's env-file syntax ({@code env_file} and {@code .env}): {@code KEY=VALUE} a line, an optional
 * {@code export } before it; blank lines and lines starting with {@code #} are skipped. A value in single quotes is
 * taken as written; in double quotes {@code \n}, {@code \t}, {@code \\}, {@code \"} are escapes and variables are
 * interpolated; an unquoted value is trimmed, ends at {@code " #"} and is interpolated. Quoted values may span lines.
 * A {@code KEY} alone takes its value from the environment, and is left out when that has none. Variables take the
 * file's earlier keys first, then the environment.
 */
final class EnvFileSyntax {
    private static final Pattern KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]*");

    private final String text;
    private final String where;
    private int at;

    private EnvFileSyntax(String text, String where) {
        this.text = text.replace("\r\n", "\n");
        this.where = where;
    }

    /**
     * @param where       the file, for messages
     * @param environment the variables a value may take besides the file's own (null when unset)
     */
    static Map<String, String> parse(String text, String where, Function<String, String> environment,
                                     Consumer<String> warnings) {
        return new EnvFileSyntax(text, where).entries(environment, warnings);
    }

    private Map<String, String> entries(Function<String, String> environment, Consumer<String> warnings) {
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, String> lookup = new HashMap<>() {
            @Override
            public String get(Object key) {
                String own = values.get(key);
                return own != null ? own : environment.apply((String) key);
            }
        };
        Interpolation interpolation = new Interpolation(lookup, warnings);
        while (at < text.length()) {
            int line = lineNumber();
            String start = restOfLine().strip();
            if (start.isEmpty() || start.startsWith("#")) {
                skipLine();
                continue;
            }
            skipBlanks();
            if (text.startsWith("export ", at)) {
                at += "export ".length();
                skipBlanks();
            }
            int eq = text.indexOf('=', at);
            int end = lineEnd();
            String key = (eq < 0 || eq > end ? text.substring(at, end) : text.substring(at, eq)).strip();
            if (!KEY.matcher(key).matches()) {
                throw new StackFileException(where + " line " + line + ": '" + key + "' is not a variable name"
                        + " (expected NAME=VALUE)");
            }
            if (eq < 0 || eq > end) {
                String inherited = environment.apply(key);
                if (inherited != null) {
                    values.put(key, inherited);
                }
                skipLine();
                continue;
            }
            at = eq + 1;
            values.put(key, value(interpolation, line));
        }
        return values;
    }

    private String value(Interpolation interpolation, int line) {
        skipBlanks();
        String place = where + " line " + line;
        if (at < text.length() && (text.charAt(at) == '\'' || text.charAt(at) == '"')) {
            char quote = text.charAt(at++);
            StringBuilder value = new StringBuilder();
            while (at < text.length() && text.charAt(at) != quote) {
                char c = text.charAt(at++);
                if (quote == '"' && c == '\\' && at < text.length()) {
                    char e = text.charAt(at++);
                    value.append(switch (e) {
                        case 'n' -> "\n";
                        case 't' -> "\t";
                        case 'r' -> "\r";
                        case '$' -> "$$";
                        default -> String.valueOf(e);
                    });
                } else {
                    value.append(c == '$' && quote == '\'' ? "$$" : String.valueOf(c));
                }
            }
            if (at >= text.length()) {
                throw new StackFileException(place + ": the value's " + quote + " is not closed");
            }
            at++;
            skipLine();
            return interpolation.apply(value.toString(), place);
        }
        String raw = restOfLine();
        skipLine();
        int comment = raw.indexOf(" #");
        return interpolation.apply((comment < 0 ? raw : raw.substring(0, comment)).strip(), place);
    }

    private int lineEnd() {
        int end = text.indexOf('\n', at);
        return end < 0 ? text.length() : end;
    }

    private String restOfLine() {
        return text.substring(at, lineEnd());
    }

    private void skipLine() {
        at = Math.min(text.length(), lineEnd() + 1);
    }

    private void skipBlanks() {
        while (at < text.length() && (text.charAt(at) == ' ' || text.charAt(at) == '\t')) {
            at++;
        }
    }

    private int lineNumber() {
        int n = 1;
        for (int i = 0; i < at; i++) {
            if (text.charAt(i) == '\n') {
                n++;
            }
        }
        return n;
    }
}
