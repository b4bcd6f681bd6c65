package com.mlreef.offline.pip;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A request's path, decoded once and checked: segments that are empty, {@code .} or {@code ..} (as given or
 * percent-encoded), and NUL, backslashes or invalid UTF-8, are refused; a file is served only when its real path (links
 * followed) is inside the folder.
 */
final class RequestPath {
    /** A path that is refused outright (HTTP 400). */
    static final class BadPath extends Exception {
        BadPath(String message) {
            super(message);
        }
    }

    private RequestPath() {
    }

    /** The decoded segments of a raw (still percent-encoded) path. */
    static List<String> segments(String rawPath) throws BadPath {
        if (rawPath == null || !rawPath.startsWith("/")) {
            throw new BadPath("not an absolute path");
        }
        List<String> segments = new ArrayList<>();
        String[] raw = rawPath.substring(1).split("/", -1);
        for (int i = 0; i < raw.length; i++) {
            String segment = decode(raw[i]);
            boolean last = i == raw.length - 1;
            if (segment.equals(".") || segment.equals("..") || segment.isEmpty() && !last
                    || segment.indexOf('\0') >= 0 || segment.indexOf('\\') >= 0 || segment.indexOf('/') >= 0) {
                throw new BadPath("refused path segment");
            }
            segments.add(segment);
        }
        return segments;
    }

    /** The file the segments name under the (real) root, or null when it is not a regular file inside it. */
    static Path file(Path root, List<String> segments) {
        Path path = root;
        for (String segment : segments) {
            path = path.resolve(segment);
        }
        path = path.normalize();
        if (!path.startsWith(root)) {
            return null;
        }
        try {
            Path real = path.toRealPath();
            return real.startsWith(root) && Files.isRegularFile(real) ? real : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** A path segment percent-encoded (RFC 3986: what is not an unreserved or sub-delimiter character). */
    static String encodeSegment(String segment) {
        StringBuilder out = new StringBuilder(segment.length() + 8);
        for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "-._~!$&'()*+,;=:@".indexOf(c) >= 0) {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    private static String decode(String raw) throws BadPath {
        if (raw.indexOf('%') < 0) {
            return raw;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                int hi = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
                int lo = hi < 0 ? -1 : Character.digit(raw.charAt(i + 2), 16);
                if (lo < 0) {
                    throw new BadPath("bad percent-encoding");
                }
                bytes.write(hi << 4 | lo);
                i += 2;
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(b, 0, b.length);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw new BadPath("invalid UTF-8 in the path");
        }
    }
}
