package com.mlreef.offline.registry;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A {@code WWW-Authenticate} challenge: {@code Bearer realm="https://auth.example.com/token",service="registry",
 * scope="repository:team/app:pull"} or {@code Basic realm="Registry"}.
 *
 * @param scheme lower case: {@code bearer}, {@code basic}
 * @param params the parameters, names in lower case, quotes removed
 */
public record Challenge(String scheme, Map<String, String> params) {

    /** Parses the header; null when it is missing or empty. */
    public static Challenge parse(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        String text = header.trim();
        int space = text.indexOf(' ');
        String scheme = (space < 0 ? text : text.substring(0, space)).toLowerCase(Locale.ROOT);
        Map<String, String> params = new LinkedHashMap<>();
        int i = space < 0 ? text.length() : space + 1;
        while (i < text.length()) {
            while (i < text.length() && (text.charAt(i) == ' ' || text.charAt(i) == ',')) {
                i++;
            }
            int eq = text.indexOf('=', i);
            if (eq < 0) {
                break;
            }
            String name = text.substring(i, eq).trim().toLowerCase(Locale.ROOT);
            StringBuilder value = new StringBuilder();
            i = eq + 1;
            if (i < text.length() && text.charAt(i) == '"') {
                i++;
                while (i < text.length() && text.charAt(i) != '"') {
                    if (text.charAt(i) == '\\' && i + 1 < text.length()) {
                        i++;
                    }
                    value.append(text.charAt(i++));
                }
                i++;
            } else {
                while (i < text.length() && text.charAt(i) != ',') {
                    value.append(text.charAt(i++));
                }
            }
            params.put(name, value.toString().trim());
        }
        return new Challenge(scheme, params);
    }

    public String realm() {
        return params.get("realm");
    }

    public String service() {
        return params.get("service");
    }

    /** The error the registry gives with a refused token ({@code insufficient_scope}, {@code invalid_token}), or null. */
    public String error() {
        return params.get("error");
    }
}
