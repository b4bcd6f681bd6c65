package com.mlreef.offline.bundle;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A tar read through unchanged, block for block, except that the entries named by {@code drop} are left out: their
 * headers (with any PAX or GNU long-name header before them) and their content, which is skipped on the source (a
 * seek for a plain file, no read). It notes every regular entry's size and keeps {@code manifest.json} (and, if
 * asked, every small file, such as the image configs, dropped or not), so the caller learns what a docker-archive held
 * once the stream is read. Nothing but headers and those small files is held.
 */
public final class ArchiveFilter extends BlockInputStream {
    private static final int BLOCK = 512;
    private static final String MANIFEST = "manifest.json";
    private static final long MANIFEST_LIMIT = 8L << 20;

    private final InputStream source;
    private final Predicate<Header> drop;
    /** Whether dropped regular entries are read and hashed ({@link #droppedSha256()}) rather than skipped. */
    private final boolean hashDropped;
    private final Map<String, String> droppedSha256 = new LinkedHashMap<>();
    private final Set<String> droppedNames = new LinkedHashSet<>();
    private final Map<String, Long> entries = new LinkedHashMap<>();
    private final long keepUpTo;
    private final Map<String, byte[]> kept = new LinkedHashMap<>();
    private final ByteArrayOutputStream capture = new ByteArrayOutputStream();
    private String captureName;
    /** Headers waiting to go out (or to be dropped with their entry). */
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private byte[] out = new byte[0];
    private int outPos;
    private long contentLeft;
    private long captureLeft;
    private boolean ended;
    private long sent;
    /** Read by another thread for progress. */
    private volatile long dropped;

    public ArchiveFilter(InputStream source, Predicate<String> drop) {
        this(source, drop, 0);
    }

    /** @param keepUpTo dropped JSON files (configs) of at most this size are kept in memory ({@link #kept()}) */
    public ArchiveFilter(InputStream source, Predicate<String> drop, long keepUpTo) {
        this(source, header -> drop.test(header.name()), keepUpTo, false);
    }

    private ArchiveFilter(InputStream source, Predicate<Header> drop, long keepUpTo, boolean hashDropped) {
        this.source = source;
        this.drop = drop;
        this.keepUpTo = keepUpTo;
        this.hashDropped = hashDropped;
    }

    /** What a drop decision knows of an entry from its header: its name, its size, and a link's target. */
    public record Header(String name, long size, String linkTarget) {
    }

    /**
     * A filter that decides from each header alone, before its content is read, and hashes what it drops, so the
     * caller can check afterwards that exactly the right content was left out ({@link #droppedSha256()}). A link to
     * a dropped entry is dropped with it.
     */
    public static ArchiveFilter dropAndHash(InputStream source, Predicate<Header> drop) {
        return new ArchiveFilter(source, drop, 0, true);
    }

    /** A filter that drops nothing: the stream as it is, with its entries and manifest noted. */
    public static ArchiveFilter observe(InputStream source) {
        return new ArchiveFilter(source, name -> false);
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (true) {
            if (outPos < out.length) {
                int n = Math.min(len, out.length - outPos);
                System.arraycopy(out, outPos, b, off, n);
                outPos += n;
                sent += n;
                return n;
            }
            if (contentLeft > 0) {
                int n = source.read(b, off, (int) Math.min(len, contentLeft));
                if (n < 0) {
                    throw new EOFException("the archive ends inside an entry");
                }
                if (captureLeft > 0) {
                    int c = (int) Math.min(n, captureLeft);
                    capture.write(b, off, c);
                    captureLeft -= c;
                    if (captureLeft == 0) {
                        kept.put(captureName, capture.toByteArray());
                    }
                }
                contentLeft -= n;
                sent += n;
                return n;
            }
            if (ended) {
                return -1;
            }
            nextEntry();
        }
    }

    /** Regular entries and links seen so far (kept or dropped): name to size (a link's is its target's, or 0). */
    public Map<String, Long> entries() {
        return entries;
    }

    /** The images of {@code manifest.json}, once the stream has passed it; null before, or when there is none. */
    public List<DockerArchive.ManifestEntry> manifest() throws IOException {
        byte[] manifest = kept.get(MANIFEST);
        if (manifest == null || manifest.length == 0) {
            return null;
        }
        return DockerArchive.manifest(manifest);
    }

    /** The small files read so far (manifest.json, and dropped JSON files up to the size asked for): name to content. */
    public Map<String, byte[]> kept() {
        return kept;
    }

    /** Bytes handed out so far. */
    public long sent() {
        return sent;
    }

    /** The sha256 ({@code sha256:HEX}) of each regular entry dropped so far, when made by {@link #dropAndHash}. */
    public Map<String, String> droppedSha256() {
        return droppedSha256;
    }

    /** The entries (regular files and links) dropped so far. */
    public Set<String> droppedNames() {
        return droppedNames;
    }

    /** Bytes of dropped entries (content only) so far; safe to read from another thread. */
    public long dropped() {
        return dropped;
    }

    /** Reads headers until an entry to pass on (its header queued, its content to stream) or the end. */
    private void nextEntry() throws IOException {
        pending.reset();
        Extensions extensions = new Extensions();
        while (true) {
            byte[] header = source.readNBytes(BLOCK);
            if (header.length == 0 && pending.size() == 0) {
                // no end marker: Go's reader (the engine's) accepts that too
                finish();
                return;
            }
            if (header.length < BLOCK) {
                throw new EOFException("the archive ends inside a header");
            }
            if (isZero(header)) {
                // what follows the end marker (the second zero block, padding) is read, so that a stream ends cleanly
                source.transferTo(OutputStream.nullOutputStream());
                finish();
                return;
            }
            byte type = header[156];
            boolean extension = type == 'x' || type == 'L' || type == 'K';
            long size = size(header, extension ? null : extensions.paxSize);
            if (extension) {
                // applies to the next entry: held until we know whether that one is kept
                byte[] content = readPadded(size);
                pending.write(header);
                pending.write(content);
                extensions.read(type, content, size);
            } else if (passOn(header, type, size, extensions)) {
                return;
            } else {
                pending.reset();
                extensions = new Extensions();
            }
        }
    }

    /** Queues an entry's header and its content to stream; false when the entry is dropped (and moved past). */
    private boolean passOn(byte[] header, byte type, long size, Extensions extensions) throws IOException {
        String name = normalise(extensions.longName != null ? extensions.longName : name(header));
        boolean regular = type == '0' || type == 0 || type == '7';
        // as Go's reader (the engine's): links, devices, folders and fifos have no content, whatever their size says
        long padded = type >= '1' && type <= '6' ? 0 : padded(size);
        String target = null;
        if (regular) {
            entries.put(name, size);
        } else if (type == '1' || type == '2') {
            // a layer stored once and linked from elsewhere (docker save does this for a repeated layer)
            String link = extensions.longLink != null ? extensions.longLink : cString(header, 157, 100);
            target = linkTarget(name, link, type == '2');
            entries.put(name, entries.getOrDefault(target, 0L));
        }
        boolean manifest = regular && name.equals(MANIFEST) && size <= MANIFEST_LIMIT;
        if (drop.test(new Header(name, target == null ? size : entries.get(name), target))
                || hashDropped && target != null && droppedNames.contains(target)) {
            drop(name, size, padded, manifest, regular);
            return false;
        }
        pending.write(header);
        out = pending.toByteArray();
        outPos = 0;
        contentLeft = padded;
        if (manifest) {
            capture.reset();
            captureName = name;
            captureLeft = size;
            if (size == 0) {
                kept.put(name, new byte[0]);
            }
        }
        return true;
    }

    /** Moves past a dropped entry: hashed or skipped, and kept when it is a small file to keep. */
    private void drop(String name, long size, long padded, boolean manifest, boolean regular) throws IOException {
        droppedNames.add(name);
        byte[] content;
        if (hashDropped && regular && !manifest) {
            content = hashDropped(name, size, padded);
        } else {
            content = readDropped(size, padded, manifest, regular);
            dropped += size;
        }
        if (content != null) {
            kept.put(name, content);
        }
    }

    /** What the extension headers before an entry (PAX, GNU long name and long link) say of it. */
    private static final class Extensions {
        private String longName;
        private String longLink;
        private Long paxSize;

        /** Notes what an extension header of this type ('x', 'L' or 'K') with this content says. */
        void read(byte type, byte[] content, long size) throws IOException {
            if (type == 'x') {
                Map<String, String> records = pax(content, size);
                if (records.containsKey("path")) {
                    longName = records.get("path");
                }
                if (records.containsKey("size")) {
                    paxSize = parseSize(records.get("size"));
                }
                if (records.containsKey("linkpath")) {
                    longLink = records.get("linkpath");
                }
            } else if (type == 'L') {
                longName = cString(content, 0, (int) Math.min(size, content.length));
            } else {
                longLink = cString(content, 0, (int) Math.min(size, content.length));
            }
        }
    }

    /**
     * Moves past a dropped entry's content; returns it when it is to be kept (the manifest, or a small JSON file such
     * as a config, which its first block tells), else null.
     */
    private byte[] readDropped(long size, long padded, boolean manifest, boolean regular) throws IOException {
        if (manifest) {
            return Arrays.copyOf(readPadded(size), (int) size);
        }
        if (!regular || size == 0 || size > keepUpTo) {
            skipSource(padded);
            return null;
        }
        byte[] first = readPadded(Math.min(size, BLOCK));
        if (first[0] != '{') {
            skipSource(padded - BLOCK);
            return null;
        }
        byte[] content = Arrays.copyOf(first, (int) size);
        if (size > BLOCK) {
            System.arraycopy(readPadded(size - BLOCK), 0, content, BLOCK, (int) size - BLOCK);
        }
        return content;
    }

    /** Reads a dropped entry's content through a digest; returns null (nothing of it is kept). */
    private byte[] hashDropped(String name, long size, long padded) throws IOException {
        MessageDigest digest = ImageFileWriter.sha256();
        byte[] buffer = new byte[1 << 16];
        long left = size;
        while (left > 0) {
            int n = source.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
                throw new EOFException("the archive ends inside an entry");
            }
            digest.update(buffer, 0, n);
            left -= n;
            dropped += n;
        }
        skipSource(padded - size);
        droppedSha256.put(name, "sha256:" + HexFormat.of().formatHex(digest.digest()));
        return null;
    }

    private void finish() {
        ended = true;
        out = new byte[2 * BLOCK];
        outPos = 0;
    }

    private byte[] readPadded(long size) throws IOException {
        if (size > MANIFEST_LIMIT) {
            throw new IOException("a tar extension header of " + size + " bytes");
        }
        byte[] content = source.readNBytes((int) padded(size));
        if (content.length < padded(size)) {
            throw new EOFException("the archive ends inside a header");
        }
        return content;
    }

    private void skipSource(long n) throws IOException {
        skipFully(source, n, "the archive ends inside an entry");
    }

    /** Skips exactly {@code n} bytes (a seek where the stream can); fails with {@code ending} if the stream ends first. */
    static void skipFully(InputStream in, long n, String ending) throws IOException {
        long left = n;
        while (left > 0) {
            long skipped = in.skip(left);
            if (skipped <= 0) {
                if (in.read() < 0) {
                    throw new EOFException(ending);
                }
                skipped = 1;
            }
            left -= skipped;
        }
    }

    private static long parseSize(String value) throws IOException {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new IOException("not a tar extension header (size '" + value + "')");
        }
    }

    private static long padded(long size) {
        return (size + BLOCK - 1) / BLOCK * BLOCK;
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    /** Size field: octal, or base-256 when its first byte has the high bit set; a PAX size overrides both. */
    private static long size(byte[] header, Long paxSize) throws IOException {
        if (paxSize != null) {
            return paxSize;
        }
        if ((header[124] & 0x80) != 0) {
            long value = header[124] & 0x7f;
            for (int i = 125; i < 136; i++) {
                value = (value << 8) | (header[i] & 0xff);
            }
            return value;
        }
        String octal = cString(header, 124, 12).trim();
        try {
            return octal.isEmpty() ? 0 : Long.parseLong(octal, 8);
        } catch (NumberFormatException e) {
            throw new IOException("not a tar header (size '" + octal + "')");
        }
    }

    private static String name(byte[] header) {
        String name = cString(header, 0, 100);
        // POSIX ustar ("ustar\0" "00") has a name prefix; GNU ("ustar  \0") keeps times there
        boolean ustar = new String(header, 257, 8, StandardCharsets.ISO_8859_1).equals("ustar\u000000");
        String prefix = ustar ? cString(header, 345, 155) : "";
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    private static String cString(byte[] bytes, int offset, int length) {
        int end = offset;
        while (end < offset + length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, offset, end - offset, StandardCharsets.UTF_8);
    }

    /** PAX records: "LEN key=value\n" each. */
    private static Map<String, String> pax(byte[] content, long size) throws IOException {
        Map<String, String> records = new LinkedHashMap<>();
        int pos = 0;
        while (pos < size) {
            int space = pos;
            while (space < size && content[space] != ' ') {
                space++;
            }
            int length;
            try {
                length = Integer.parseInt(new String(content, pos, space - pos, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                throw new IOException("not a tar extension header (a bad record length)");
            }
            if (length <= space - pos + 2 || pos + length > size || content[pos + length - 1] != '\n') {
                throw new IOException("not a tar extension header (a bad record)");
            }
            String record = new String(content, space + 1, pos + length - space - 2, StandardCharsets.UTF_8);
            int eq = record.indexOf('=');
            if (eq > 0) {
                records.put(record.substring(0, eq), record.substring(eq + 1));
            }
            pos += length;
        }
        return records;
    }

    /** A link's target as an archive path: a symbolic link's is relative to its folder, a hard link's to the root. */
    static String linkTarget(String name, String link, boolean symbolic) {
        java.util.Deque<String> parts = new java.util.ArrayDeque<>();
        String base = symbolic && name.contains("/") ? name.substring(0, name.lastIndexOf('/') + 1) : "";
        for (String part : (link.startsWith("/") ? link.substring(1) : base + link).split("/")) {
            if (part.equals("..")) {
                parts.pollLast();
            } else if (!part.isEmpty() && !part.equals(".")) {
                parts.addLast(part);
            }
        }
        return String.join("/", parts);
    }

    private static String normalise(String name) {
        String n = name.startsWith("./") ? name.substring(2) : name;
        return n.endsWith("/") ? n.substring(0, n.length() - 1) : n;
    }

    @Override
    public void close() throws IOException {
        source.close();
    }
}
