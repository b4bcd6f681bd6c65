package com.mlreef.offline.pip;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What the index says of a distribution file, computed once for a size and modification time: its SHA-256, its
 * {@code Requires-Python}, and for a wheel the SHA-256 of its METADATA (null when it serves none).
 */
public record FileFacts(long size, long modified, String sha256, String requiresPython, String metadataSha256) {
    private static final int BUFFER = 64 * 1024;

    /** Whether these facts are those of a file of this size and modification time. */
    boolean describes(long size, long modified) {
        return this.size == size && this.modified == modified;
    }

    /** The file's entity tag: its content hash, so that a copy with a new mtime keeps it. */
    public String etag() {
        return "\"" + sha256 + "\"";
    }

    /** Reads the file (streamed) and its metadata. */
    static FileFacts read(Path file, DistributionName name, long size, long modified) throws IOException {
        String sha256;
        try (InputStream in = Files.newInputStream(file)) {
            sha256 = sha256(in);
        }
        byte[] metadata;
        try {
            metadata = name.wheel() ? CoreMetadata.ofWheel(file) : CoreMetadata.ofSdist(file, name.fileName());
        } catch (IOException e) {
            metadata = null; // a damaged archive is still listed; pip reports what it finds in it
        }
        String requires = metadata == null ? null : CoreMetadata.requiresPython(metadata);
        String metadataSha = name.wheel() && metadata != null ? sha256(metadata) : null;
        return new FileFacts(size, modified, sha256, requires, metadataSha);
    }

    static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(digest().digest(bytes));
    }

    private static String sha256(InputStream in) throws IOException {
        MessageDigest digest = digest();
        byte[] buffer = new byte[BUFFER];
        int n;
        while ((n = in.read(buffer)) > 0) {
            digest.update(buffer, 0, n);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
