package com.mlreef.offline.pip;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * A distribution's core metadata: a wheel's {@code *.dist-info/METADATA}, a source distribution's {@code PKG-INFO}.
 * Read from the archive without unpacking it (a zip's directory, a tar's entries up to the one sought).
 */
public final class CoreMetadata {
    /** Metadata files are a few kilobytes; a larger one is not read. */
    static final int MAX_SIZE = 4 * 1024 * 1024;
    private static final Pattern WHEEL_METADATA = Pattern.compile("[^/]+\\.dist-info/METADATA");
    private static final Pattern SDIST_PKG_INFO = Pattern.compile("(\\./)?[^/]+/PKG-INFO");

    private CoreMetadata() {
    }

    /** The wheel's METADATA, or null when it has none (or an unreadable one). */
    public static byte[] ofWheel(Path wheel) throws IOException {
        try (ZipFile zip = new ZipFile(wheel.toFile())) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry entry = entries.nextElement();
                if (WHEEL_METADATA.matcher(entry.getName()).matches()) {
                    try (InputStream in = zip.getInputStream(entry)) {
                        return bounded(in);
                    }
                }
            }
            return null;
        }
    }

    /** The source distribution's PKG-INFO (tar.gz, tgz or zip), or null. */
    public static byte[] ofSdist(Path sdist, String fileName) throws IOException {
        if (fileName.endsWith(".zip")) {
            try (ZipFile zip = new ZipFile(sdist.toFile())) {
                Enumeration<? extends ZipEntry> entries = zip.entries();
                while (entries.hasMoreElements()) {
                    ZipEntry entry = entries.nextElement();
                    if (SDIST_PKG_INFO.matcher(entry.getName()).matches()) {
                        try (InputStream in = zip.getInputStream(entry)) {
                            return bounded(in);
                        }
                    }
                }
                return null;
            }
        }
        if (!fileName.endsWith(".tar.gz") && !fileName.endsWith(".tgz")) {
            return null;
        }
        try (TarArchiveInputStream tar = new TarArchiveInputStream(
                new GZIPInputStream(new BufferedInputStream(Files.newInputStream(sdist), 65536)))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                if (entry.isFile() && SDIST_PKG_INFO.matcher(entry.getName()).matches()) {
                    return bounded(tar);
                }
            }
            return null;
        }
    }

    /** The {@code Requires-Python} field of metadata, or null when absent or empty. */
    public static String requiresPython(byte[] metadata) {
        String text = new String(metadata, StandardCharsets.UTF_8);
        for (String line : text.split("\r?\n")) {
            if (line.isEmpty()) {
                break; // the headers end; the description follows
            }
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).strip().toLowerCase(Locale.ROOT).equals("requires-python")) {
                String value = line.substring(colon + 1).strip();
                return value.isEmpty() ? null : value;
            }
        }
        return null;
    }

    private static byte[] bounded(InputStream in) throws IOException {
        byte[] bytes = in.readNBytes(MAX_SIZE + 1);
        if (bytes.length > MAX_SIZE) {
            throw new IOException("metadata larger than " + MAX_SIZE + " bytes");
        }
        return bytes;
    }
}
