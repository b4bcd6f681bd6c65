package com.mlreef.offline.run;

import com.mlreef.offline.ui.ExitCode;
import com.mlreef.offline.ui.ToolException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The files that run this same program in an empty container: the executable (or the JVM and the jar) and every
 * shared object the process has mapped, with the ELF interpreter and the names the loader looks them up by. The
 * shipped executable is static and needs none; one that links the JDK's shared libraries needs them all.
 *
 * @param files    path in the image to the host file whose content goes there (links followed)
 * @param links    path in the image to the target of a symbolic link kept as a link (a library's other names)
 * @param command  what the container runs before the tool's own arguments
 * @param libPath  the folders of the shared objects, for LD_LIBRARY_PATH (the loader's cache is not in the image)
 * @param identity what the image depends on: its tag is made from its hash
 */
record ProgramFiles(Map<String, Path> files, Map<String, String> links, List<String> command, String libPath,
                    List<Path> identity) {
    static final String EXECUTABLE = "/mlreef-offline";
    static final String JAR = "/mlreef-offline.jar";
    /** Parts of a JDK that running a jar does not need. */
    private static final Set<String> JDK_EXTRAS = Set.of("jmods", "include", "man", "demo", "legal", "src.zip");

    /** This process's program: the native executable, or the JVM running the jar; else an error. */
    static ProgramFiles current() {
        Map<String, Path> files = new LinkedHashMap<>();
        Map<String, String> links = new LinkedHashMap<>();
        List<Path> mapped = mappedLibraries(Path.of("/proc/self/maps"));
        try {
            if ("runtime".equals(System.getProperty("org.graalvm.nativeimage.imagecode"))) {
                Path exe = Path.of("/proc/self/exe").toRealPath();
                files.put(EXECUTABLE, exe);
                String libPath = libraries(exe, mapped, files, links, null);
                return new ProgramFiles(files, links, List.of(EXECUTABLE), libPath, List.of(exe));
            }
            String classPath = System.getProperty("java.class.path", "");
            Path jar = classPath.endsWith(".jar") && !classPath.contains(":") ? Path.of(classPath).toRealPath() : null;
            if (jar == null) {
                throw new ToolException(ExitCode.FAILED, "--pip: run the mlreef-offline executable or its jar (java"
                        + " -jar mlreef-offline.jar): the package index container runs that same program");
            }
            Path javaHome = Path.of(System.getProperty("java.home")).toRealPath();
            jdk(javaHome, files);
            files.put(JAR, jar);
            Path java = javaHome.resolve("bin/java");
            String libPath = libraries(java, mapped, files, links, javaHome);
            return new ProgramFiles(files, links, List.of(java.toString(), "-XX:-UsePerfData", "-Xmx96m", "-jar", JAR),
                    libPath, List.of(jar, java));
        } catch (IOException e) {
            throw new ToolException(ExitCode.FAILED, "--pip: cannot read this program's files: " + e.getMessage(), e);
        }
    }

    /** The JDK's files at their own paths, links followed (Debian links its configuration into /etc). */
    private static void jdk(Path javaHome, Map<String, Path> files) throws IOException {
        try (var walk = Files.walk(javaHome, java.nio.file.FileVisitOption.FOLLOW_LINKS)) {
            walk.filter(p -> !JDK_EXTRAS.contains(javaHome.relativize(p).toString().split("/")[0]))
                    .filter(Files::isRegularFile).forEach(p -> files.put(p.toString(), p));
        }
    }

    /**
     * Adds the mapped shared objects (outside {@code skip}), their other names in their folders, and the program's
     * ELF interpreter; returns their folders joined for LD_LIBRARY_PATH.
     */
    private static String libraries(Path program, List<Path> mapped, Map<String, Path> files, Map<String, String> links,
                                    Path skip) throws IOException {
        Set<String> folders = new LinkedHashSet<>();
        Set<Path> real = new LinkedHashSet<>();
        for (Path lib : mapped) {
            if (skip != null && lib.startsWith(skip)) {
                continue;
            }
            files.put(lib.toString(), lib);
            real.add(lib.toRealPath());
            folders.add(lib.getParent().toString());
        }
        for (String folder : folders) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(Path.of(folder))) {
                for (Path entry : entries) {
                    if (Files.isSymbolicLink(entry) && Files.exists(entry) && real.contains(entry.toRealPath())) {
                        links.put(entry.toString(), Files.readSymbolicLink(entry).toString());
                    }
                }
            }
        }
        String interpreter = interpreter(program);
        if (interpreter != null) {
            files.put(interpreter, Path.of(interpreter).toRealPath());
        }
        return String.join(":", folders);
    }

    /** The shared objects of a process's memory map, as their real paths. */
    static List<Path> mappedLibraries(Path maps) {
        Set<Path> libs = new LinkedHashSet<>();
        try {
            for (String line : Files.readAllLines(maps)) {
                int slash = line.indexOf('/');
                if (slash < 0 || line.endsWith("(deleted)")) {
                    continue;
                }
                String path = line.substring(slash);
                String name = path.substring(path.lastIndexOf('/') + 1);
                if (name.matches(".*\\.so(\\.[0-9.]+)?") && Files.isRegularFile(Path.of(path))) {
                    libs.add(Path.of(path));
                }
            }
        } catch (IOException e) {
            return List.of(); // no /proc: a static program needs none
        }
        return new ArrayList<>(libs);
    }

    /** The PT_INTERP path of a 64-bit little-endian ELF file, or null (static, or not such a file). */
    static String interpreter(Path elf) throws IOException {
        try (FileChannel in = FileChannel.open(elf)) {
            ByteBuffer header = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
            in.read(header, 0);
            if (header.get(0) != 0x7f || header.get(1) != 'E' || header.get(4) != 2 || header.get(5) != 1) {
                return null;
            }
            long phoff = header.getLong(32);
            int phentsize = Short.toUnsignedInt(header.getShort(54));
            int phnum = Short.toUnsignedInt(header.getShort(56));
            for (int i = 0; i < phnum; i++) {
                ByteBuffer ph = ByteBuffer.allocate(phentsize).order(ByteOrder.LITTLE_ENDIAN);
                in.read(ph, phoff + (long) i * phentsize);
                if (ph.getInt(0) == 3) { // PT_INTERP
                    ByteBuffer path = ByteBuffer.allocate((int) ph.getLong(32));
                    in.read(path, ph.getLong(8));
                    String text = new String(path.array(), StandardCharsets.US_ASCII);
                    return text.indexOf('\0') >= 0 ? text.substring(0, text.indexOf('\0')) : text;
                }
            }
        }
        return null;
    }
}
