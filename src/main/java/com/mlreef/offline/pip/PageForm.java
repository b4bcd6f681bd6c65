package com.mlreef.offline.pip;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The forms of a simple index page, and PEP 691's content negotiation: the form the {@code Accept} header ranks
 * highest (q-values; equal ones in this enum's order), HTML when it names none of them.
 */
public enum PageForm {
    JSON("application/vnd.pypi.simple.v1+json"),
    HTML("application/vnd.pypi.simple.v1+html"),
    LEGACY_HTML("text/html; charset=utf-8");

    private static final Pattern PIP_VERSION = Pattern.compile("pip/(\\d{1,4})\\.(\\d{1,4})");
    private final String contentType;

    PageForm(String contentType) {
        this.contentType = contentType;
    }

    public String contentType() {
        return contentType;
    }

    /**
     * The rule for pip 22.3 to 23.0 (User-Agent {@code pip/X.Y.Z ...}): they ask for JSON first but read a wheel's
     * metadata (PEP 658) only from the HTML form's {@code data-dist-info-metadata} attribute, and fail on that key in
     * JSON. When the index is told to give them metadata, they get the HTML form.
     */
    public static boolean readsMetadataFromHtmlOnly(String userAgent) {
        if (userAgent == null || !userAgent.startsWith("pip/")) {
            return false;
        }
        Matcher m = PIP_VERSION.matcher(userAgent);
        if (!m.lookingAt()) {
            return false;
        }
        int major = Integer.parseInt(m.group(1));
        int minor = Integer.parseInt(m.group(2));
        return major == 22 && minor >= 3 || major == 23 && minor == 0;
    }

    /**
     * The form to answer a client with: {@link #negotiate(String)}, except that a pip that reads metadata from HTML
     * only ({@link #readsMetadataFromHtmlOnly}) gets HTML when {@code metadataForOldPip} is set and it asked for JSON.
     */
    public static PageForm negotiate(String accept, String userAgent, boolean metadataForOldPip) {
        PageForm form = negotiate(accept);
        return form == JSON && metadataForOldPip && readsMetadataFromHtmlOnly(userAgent) ? HTML : form;
    }

    /** The form to answer an {@code Accept} header (null: none) with. */
    public static PageForm negotiate(String accept) {
        if (accept == null || accept.isBlank()) {
            return LEGACY_HTML;
        }
        PageForm best = null;
        double bestQ = 0;
        for (String range : accept.split(",")) {
            String[] parts = range.split(";");
            PageForm form = of(parts[0].strip().toLowerCase(Locale.ROOT));
            double q = quality(parts);
            if (form != null && q > 0 && (best == null || q > bestQ || q == bestQ && form.ordinal() < best.ordinal())) {
                best = form;
                bestQ = q;
            }
        }
        return best == null ? LEGACY_HTML : best;
    }

    private static PageForm of(String mediaType) {
        return switch (mediaType) {
            case "application/vnd.pypi.simple.v1+json", "application/vnd.pypi.simple.latest+json" -> JSON;
            case "application/vnd.pypi.simple.v1+html", "application/vnd.pypi.simple.latest+html" -> HTML;
            case "text/html", "text/*", "*/*" -> LEGACY_HTML;
            default -> null;
        };
    }

    private static double quality(String[] parts) {
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].strip();
            if (p.startsWith("q=") || p.startsWith("Q=")) {
                try {
                    double q = Double.parseDouble(p.substring(2).strip());
                    return q < 0 || q > 1 || Double.isNaN(q) ? 0 : q;
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return 1;
    }
}
