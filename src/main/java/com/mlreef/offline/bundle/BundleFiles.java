package com.mlreef.offline.bundle;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.mlreef.offline.ui.IoReason;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The files of a bundle folder: {@code bundle.json}, {@code SHA256SUMS} and the names of image files, each checked
 * before use so that a bundle cannot name a file outside its folder.
 */
public final class BundleFiles {
    public static final String SUMS = "SHA256SUMS";
    public static final String IMAGES = "images";
    /** The folder of Python package files (export --pip-dir). */
    public static final String PACKAGES = "packages";
    /** A package file as pip writes it: a wheel or an sdist, with a plain name. */
    private static final Pattern PACKAGE_NAME = Pattern.compile(
            "[A-Za-z0-9][A-Za-z0-9._+-]*\\.(whl|tar\\.gz|zip|tar\\.bz2)");

    private static final Pattern PACKAGE_FOLDER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]*");
    private static final Pattern IMAGE_FILE = Pattern.compile(IMAGES + "/[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final Pattern TOP_FILE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final Pattern IMAGE_ID = Pattern.compile("sha256:[0-9a-f]{64}");
    private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern SUM_LINE = Pattern.compile("([0-9a-fA-F]{64}) [ *](.+)");

    static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /**
     * For bundle.json, which export wrote: one JSON document, each key once, each value of its own type (a bundle.json
     * edited into another shape is named, not half-read); unknown keys are a newer version's.
     */
    private static final ObjectMapper STRICT = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .build();

    private BundleFiles() {
    }

    /** "; the bundle is in DIR/x" for the folders just below {@code dir} that hold a bundle.json; else "". */
    public static String bundlesBelow(Path dir) {
        List<String> found = new ArrayList<>();
        try (var entries = Files.list(dir)) {
            entries.filter(f -> Files.isRegularFile(f.resolve(BundleManifest.FILE_NAME))).sorted().limit(3)
                    .forEach(f -> found.add(f.toString()));
        } catch (IOException e) {
            return "";
        }
        return found.isEmpty() ? "" : "; " + (found.size() == 1 ? "a bundle is in " : "bundles are in ")
                + String.join(", ", found) + ": give -d " + found.get(0);
    }

    /** Whether a name is one an image file may have inside the bundle ({@code images/NAME}). */
    public static boolean isImageFile(String name) {
        return name != null && IMAGE_FILE.matcher(name).matches();
    }

    /**
     * What is wrong in a JSON file, in the file's own terms (where, and what was expected), not the Java types it is
     * read into.
     */
    static String jsonProblem(JsonProcessingException e) {
        Throwable syntax = e;
        while (syntax != null && !(syntax instanceof JsonParseException)) {
            syntax = syntax.getCause();
        }
        if (syntax != null || !(e instanceof JsonMappingException mapping) || mapping.getPath().isEmpty()) {
            JsonLocation at = syntax != null ? ((JsonParseException) syntax).getLocation() : e.getLocation();
            String message = String.valueOf(e.getOriginalMessage());
            String why = syntax instanceof JsonEOFException ? " (it ends early: cut short?)"
                    : message.startsWith("Duplicate field") ? " (a key given twice)"
                    : message.startsWith("Trailing token") ? " (more follows its end)" : "";
            return "not valid JSON" + why
                    + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr());
        }
        StringBuilder where = new StringBuilder();
        for (JsonMappingException.Reference ref : mapping.getPath()) {
            if (ref.getFieldName() != null) {
                where.append(where.length() == 0 ? "" : ".").append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                where.append('[').append(ref.getIndex()).append(']');
            }
        }
        if (e instanceof InvalidFormatException invalid) {
            Class<?> type = invalid.getTargetType();
            String expected = type != null && type.isEnum() ? "one of " + String.join(", ",
                    java.util.Arrays.stream(type.getEnumConstants()).map(c -> c.toString().toLowerCase(Locale.ROOT))
                            .toList()) : "a valid value";
            return where + ": '" + invalid.getValue() + "' is not " + expected;
        }
        if (e instanceof MismatchedInputException mismatched && mismatched.getTargetType() != null) {
            Class<?> type = mismatched.getTargetType();
            String expected = List.class.isAssignableFrom(type) ? "a list" : type == String.class ? "a string"
                    : type == long.class || type == Long.class || type == int.class || type == Integer.class
                    ? "a number" : type == boolean.class || type == Boolean.class ? "true or false" : "an object";
            return where + ": expected " + expected;
        }
        return where + ": not a valid value";
    }

    /** Reads and checks {@code DIR/bundle.json}. */
    public static BundleManifest read(Path dir) {
        Path file = dir.resolve(BundleManifest.FILE_NAME);
        BundleManifest manifest;
        try {
            manifest = STRICT.readValue(Files.readAllBytes(file), BundleManifest.class);
        } catch (NoSuchFileException e) {
            throw new BundleException(file + " does not exist");
        } catch (JsonProcessingException e) {
            throw new BundleException(file + " is not a valid bundle manifest: " + jsonProblem(e));
        } catch (IOException e) {
            throw new BundleException("cannot read " + file + ": " + IoReason.of(e), e);
        }
        String problem = check(manifest);
        if (problem != null) {
            throw new BundleException(file + ": " + problem);
        }
        return manifest;
    }

    /** What is wrong with a manifest, or null. */
    static String check(BundleManifest m) {
        if (m == null) {
            return "empty";
        }
        if (m.format() > BundleManifest.FORMAT) {
            return "format " + m.format() + " is newer than this mlreef-offline reads (" + BundleManifest.FORMAT
                    + "); use the mlreef-offline executable that came with the bundle";
        }
        if (m.format() < 1) {
            return m.format() == 0 ? "no format version" : "format " + m.format() + " is not a format version";
        }
        if (m.id() == null || m.id().isBlank()) {
            return "no bundle id";
        }
        if (m.stack() == null || m.stack().text() == null || m.stack().text().isBlank() || m.stack().name() == null
                || m.stack().name().isBlank()) {
            return "no stack (its name and text): run and the lifecycle commands need it";
        }
        if (m.images() == null || (m.images().isEmpty() && m.complete())) {
            return "lists no images";
        }
        String images = checkImages(m);
        if (images != null) {
            return images;
        }
        if (m.base() != null && (m.base().id() == null || m.base().id().isBlank() || m.format() < BundleManifest.FORMAT)) {
            return "base: a differential bundle needs the base bundle's id and format " + BundleManifest.FORMAT;
        }
        String packages = checkPackages(m);
        if (packages != null) {
            return packages;
        }
        String project = ProjectCheck.problem(m.project());
        if (project != null) {
            return "project: " + project;
        }
        BundleManifest.Executable exe = m.executable();
        if (exe != null && (exe.file() == null || !TOP_FILE.matcher(exe.file()).matches() || exe.sha256() == null
                || !HEX.matcher(exe.sha256()).matches())) {
            return "executable: not a plain file name with a sha256";
        }
        return null;
    }

    /** Whether a name is that of a package file export takes: a wheel or an sdist, plain (no folder, no dot-dot). */
    public static boolean isPackageName(String name) {
        return name != null && PACKAGE_NAME.matcher(name).matches() && !name.contains("..");
    }

    /** Whether a name is that of a subfolder of packages/: plain, as a package file's without its ending. */
    public static boolean isPackageFolderName(String name) {
        return name != null && PACKAGE_FOLDER.matcher(name).matches() && !name.contains("..");
    }

    /** Whether a path under packages/ is plain: plain folder names, then a package file name. */
    static boolean isPackagePath(String relative) {
        String[] segments = relative.split("/", -1);
        for (int i = 0; i < segments.length - 1; i++) {
            if (!isPackageFolderName(segments[i])) {
                return false;
            }
        }
        return isPackageName(segments[segments.length - 1]);
    }

    /** What is wrong with the manifest's package files, or null. */
    private static String checkPackages(BundleManifest m) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < m.packageFiles().size(); i++) {
            BundleManifest.PackageFile p = m.packageFiles().get(i);
            String where = "packages[" + i + "]";
            if (p == null || p.file() == null || !p.file().startsWith(PACKAGES + "/")
                    || !isPackagePath(p.file().substring(PACKAGES.length() + 1))) {
                return where + ": not a package file (.whl, .tar.gz, .zip, .tar.bz2) under " + PACKAGES + "/";
            }
            if (p.sha256() == null || !HEX.matcher(p.sha256()).matches() || p.size() < 0) {
                return where + ": no valid size or sha256 for " + p.file();
            }
            // one name once, whichever the folder: run --pip copies them all into one folder
            if (!seen.add(p.file().substring(p.file().lastIndexOf('/') + 1).toLowerCase(Locale.ROOT))) {
                return where + ": " + p.file() + "'s name is listed twice (names compared ignoring case)";
            }
        }
        return null;
    }

    /** What is wrong with the manifest's images, or null. */
    private static String checkImages(BundleManifest m) {
        Map<String, BundleManifest.Image> byFile = new HashMap<>();
        for (int i = 0; i < m.images().size(); i++) {
            BundleManifest.Image image = m.images().get(i);
            String where = "images[" + i + "]";
            if (image == null || image.id() == null || !IMAGE_ID.matcher(image.id()).matches()) {
                return where + ": no valid image ID (sha256:...)";
            }
            if (!isImageFile(image.file())) {
                return where + ": file '" + image.file() + "' is not a plain file name under " + IMAGES + "/";
            }
            if (image.sha256() == null || !HEX.matcher(image.sha256()).matches() || image.size() < 0
                    || image.compression() == null) {
                return where + ": no valid size, sha256 or compression for " + image.file();
            }
            if (image.references() == null) {
                return where + ": no references";
            }
            int layers = image.layers() == null ? 0 : image.layers().size();
            if (image.layerFiles() != null && image.layerFiles().size() != layers) {
                return where + ": layerFiles does not name one file per layer";
            }
            if (image.leftOut() < 0 || image.leftOut() > layers || (image.leftOut() > 0 && m.base() == null)) {
                return where + ": baseLayers " + image.leftOut() + " does not fit its " + layers + " layers"
                        + (m.base() == null ? " and the bundle has no base" : "");
            }
            BundleManifest.Image other = byFile.putIfAbsent(image.file(), image);
            if (other != null && (other.size() != image.size() || !other.sha256().equals(image.sha256())
                    || other.compression() != image.compression())) {
                return where + ": " + image.file() + " is listed twice with different sizes or checksums";
            }
        }
        return null;
    }

    /** Writes {@code DIR/bundle.json} atomically; returns its sha256. */
    public static String write(Path dir, BundleManifest manifest) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(manifest);
        AtomicFile.write(dir.resolve(BundleManifest.FILE_NAME), bytes);
        return HexFormat.of().formatHex(ImageFileWriter.sha256().digest(bytes));
    }

    /** Writes {@code DIR/SHA256SUMS} atomically, in the format {@code sha256sum -c} reads. */
    public static void writeSums(Path dir, Map<String, String> sums) throws IOException {
        StringBuilder text = new StringBuilder();
        sums.forEach((file, sha) -> text.append(sha).append("  ").append(file).append('\n'));
        AtomicFile.write(dir.resolve(SUMS), text.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Reads {@code DIR/SHA256SUMS}: file name to sha256, in order; a line that is not a checksum line is an error. */
    public static Map<String, String> readSums(Path dir) throws IOException {
        Map<String, String> sums = new LinkedHashMap<>();
        try (BufferedReader reader = Files.newBufferedReader(dir.resolve(SUMS), StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                Matcher m = SUM_LINE.matcher(line);
                if (!m.matches()) {
                    throw new BundleException(dir.resolve(SUMS) + " line " + number + " is not '<sha256>  <file>'");
                }
                // sha256sum ./*.tar writes ./one.tar: the file one.tar
                sums.put(m.group(2).replaceFirst("^(\\./)+", ""), m.group(1).toLowerCase(Locale.ROOT));
            }
        }
        return sums;
    }

    /**
     * Whether a folder without bundle.json has a SHA256SUMS that lists it: a bundle that lost its bundle.json, not a
     * folder of plain docker save tars.
     */
    public static boolean lostItsManifest(Path dir) {
        if (Files.exists(dir.resolve(BundleManifest.FILE_NAME)) || !Files.isRegularFile(dir.resolve(SUMS))) {
            return false;
        }
        try {
            return readSums(dir).containsKey(BundleManifest.FILE_NAME);
        } catch (IOException | BundleException e) {
            return false; // not a bundle's SHA256SUMS: verify reports it
        }
    }

    /** The message for a folder that {@link #lostItsManifest lost its bundle.json}. */
    public static String lostManifestMessage(Path dir) {
        return dir.resolve(BundleManifest.FILE_NAME) + " is missing, though " + SUMS + " lists it: the folder is a"
                + " bundle that lost its bundle.json; copy the bundle again";
    }

    /** The SHA256SUMS entries a manifest implies: image files, the executable, and bundle.json itself. */
    public static Map<String, String> sums(BundleManifest manifest, String manifestSha256) {
        Map<String, String> sums = new LinkedHashMap<>();
        for (BundleManifest.Image image : manifest.images()) {
            sums.put(image.file(), image.sha256());
        }
        if (manifest.executable() != null) {
            sums.put(manifest.executable().file(), manifest.executable().sha256());
        }
        manifest.packageFiles().forEach(p -> sums.put(p.file(), p.sha256()));
        if (manifest.project() != null) {
            sums.put(manifest.project().file(), manifest.project().sha256());
        }
        sums.put(BundleManifest.FILE_NAME, manifestSha256);
        return sums;
    }

    /** Distinct image files in the order the manifest lists them. */
    public static List<String> imageFiles(BundleManifest manifest) {
        return manifest.images().stream().map(BundleManifest.Image::file).distinct().toList();
    }
}
