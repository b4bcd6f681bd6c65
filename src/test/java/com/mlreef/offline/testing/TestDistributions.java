package com.mlreef.offline.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Python distributions made for tests, without any tool: a pure-Python wheel (a module, METADATA, WHEEL, RECORD) and
 * a source distribution (PKG-INFO, a setup.py that setuptools builds offline, a module).
 */
public final class TestDistributions {
    private TestDistributions() {
    }

    /** The core metadata of a distribution: name, version, Requires-Python (or null), Requires-Dist lines. */
    public static String metadata(String name, String version, String requiresPython, List<String> requires) {
        StringBuilder m = new StringBuilder("Metadata-Version: 2.1\nName: ").append(name)
                .append("\nVersion: ").append(version).append("\nSummary: test distribution\n");
        if (requiresPython != null) {
            m.append("Requires-Python: ").append(requiresPython).append('\n');
        }
        requires.forEach(r -> m.append("Requires-Dist: ").append(r).append('\n'));
        return m.append("\nA distribution made by a test.\n").toString();
    }

    /** Writes {@code NAME-VERSION-py3-none-any.whl} (NAME with its dots and dashes as given) into dir. */
    public static Path wheel(Path dir, String name, String version, String module, String requiresPython,
                             List<String> requires) throws IOException {
        String distInfo = name.replace('-', '_') + "-" + version + ".dist-info";
        Path file = dir.resolve(name.replace('-', '_') + "-" + version + "-py3-none-any.whl");
        List<String[]> files = new ArrayList<>();
        files.add(new String[] {module + ".py", "VALUE = '" + name + " " + version + "'\n"});
        files.add(new String[] {distInfo + "/METADATA", metadata(name, version, requiresPython, requires)});
        files.add(new String[] {distInfo + "/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
                + "Tag: py3-none-any\n"});
        StringBuilder record = new StringBuilder();
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            for (String[] f : files) {
                byte[] bytes = f[1].getBytes(StandardCharsets.UTF_8);
                zip.putNextEntry(new ZipEntry(f[0]));
                zip.write(bytes);
                zip.closeEntry();
                record.append(f[0]).append(",sha256=").append(Base64.getUrlEncoder().withoutPadding()
                        .encodeToString(sha256Bytes(bytes))).append(',').append(bytes.length).append('\n');
            }
            zip.putNextEntry(new ZipEntry(distInfo + "/RECORD"));
            zip.write(record.append(distInfo).append("/RECORD,,\n").toString().getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
        return file;
    }

    /** Writes {@code NAME-VERSION.tar.gz}, a setuptools source distribution, into dir. */
    public static Path sdist(Path dir, String name, String version, String module, String requiresPython)
            throws IOException {
        String base = name + "-" + version;
        Path file = dir.resolve(base + ".tar.gz");
        String setup = "from setuptools import setup\nsetup(name='" + name + "', version='" + version + "', py_modules=['"
                + module + "']" + (requiresPython == null ? "" : ", python_requires='" + requiresPython + "'") + ")\n";
        try (OutputStream out = Files.newOutputStream(file);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(out))) {
            add(tar, base + "/PKG-INFO", metadata(name, version, requiresPython, List.of()));
            add(tar, base + "/setup.py", setup);
            add(tar, base + "/" + module + ".py", "VALUE = '" + name + " " + version + "'\n");
        }
        return file;
    }

    public static String sha256(Path file) throws IOException {
        return HexFormat.of().formatHex(sha256Bytes(Files.readAllBytes(file)));
    }

    public static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(sha256Bytes(bytes));
    }

    private static void add(TarArchiveOutputStream tar, String name, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(bytes.length);
        tar.putArchiveEntry(entry);
        tar.write(bytes);
        tar.closeArchiveEntry();
    }

    private static byte[] sha256Bytes(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
