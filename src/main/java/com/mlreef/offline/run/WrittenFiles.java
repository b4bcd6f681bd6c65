package com.mlreef.offline.run;

import com.mlreef.offline.bundle.AtomicFile;
import com.mlreef.offline.bundle.BundleException;
import com.mlreef.offline.bundle.BundleVerifier;
import com.mlreef.offline.stackfile.StackLabels;
import com.mlreef.offline.stackfile.StackSpec;
import com.mlreef.offline.stackfile.StackSpec.WrittenFile;
import com.mlreef.offline.ui.IoReason;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The secrets and configs whose text the stack gives ({@code environment: VAR}, {@code content:}), written into the
 * stack folder by run before the containers that mount them are created: a secret readable by its owner only
 * (0600), a config by all (0644), in folders of mode 0700. Their text is never printed; a hash of it labels the
 * containers that mount them, so that a changed text replaces them.
 */
final class WrittenFiles {
    private WrittenFiles() {
    }

    /** What a written file will hold, for the hash that labels the containers that mount it. */
    static String describe(WrittenFile file) {
        return "written " + BundleVerifier.sha256Of(file.text().getBytes(StandardCharsets.UTF_8)) + " "
                + Integer.toOctalString(mode(file));
    }

    /** The stack, each service that mounts a written file labelled with a hash of what they hold. */
    static StackSpec labelled(StackSpec spec) {
        if (spec.written().isEmpty()) {
            return spec;
        }
        Map<String, StackSpec.Service> services = new LinkedHashMap<>();
        for (StackSpec.Service service : spec.services().values()) {
            StringBuilder held = new StringBuilder();
            for (StackSpec.MountSpec mount : service.mounts()) {
                spec.written().stream().filter(w -> w.source().equals(mount.source())).forEach(w -> held
                        .append(w.source()).append(' ').append(describe(w)).append('\n'));
            }
            services.put(service.name(), held.length() == 0 ? service : service.withLabels(Map.of(
                    StackLabels.FILES_LABEL, BundleVerifier.sha256Of(held.toString().getBytes(StandardCharsets.UTF_8)))));
        }
        return spec.withServices(services);
    }

    /** The plan's lines: each file a run would write (its text or mode differs from what is there), never the text. */
    static List<String> lines(List<WrittenFile> files) {
        List<String> lines = new ArrayList<>();
        for (WrittenFile file : files) {
            try {
                if (!holds(Path.of(file.source()), file)) {
                    lines.add("write " + (file.secret() ? "secret " : "config ") + file.source());
                }
            } catch (IOException e) {
                lines.add("write " + (file.secret() ? "secret " : "config ") + file.source() + " (" + IoReason.of(e)
                        + ")");
            }
        }
        return lines;
    }

    /** Writes each file whose text or mode differs from what is there; the lines that say which (never the text). */
    static List<String> write(List<WrittenFile> files) {
        List<String> said = new ArrayList<>();
        for (WrittenFile file : files) {
            Path target = Path.of(file.source());
            try {
                if (holds(target, file)) {
                    continue;
                }
                Path folder = target.getParent();
                if (!Files.isDirectory(folder)) {
                    Files.createDirectories(folder, PosixFilePermissions.asFileAttribute(
                            PosixFilePermissions.fromString("rwx------")));
                    Files.setPosixFilePermissions(folder.getParent(), PosixFilePermissions.fromString("rwx------"));
                }
                try (AtomicFile out = AtomicFile.create(target)) {
                    Files.setPosixFilePermissions(out.temporary(), PosixFilePermissions.fromString(
                            mode(file) == 0600 ? "rw-------" : "rw-r--r--"));
                    out.stream().write(file.text().getBytes(StandardCharsets.UTF_8));
                    out.commit();
                }
                said.add("wrote " + target);
            } catch (IOException e) {
                throw new BundleException("writing " + target + " (" + file.where() + "): " + IoReason.of(e), e);
            }
        }
        return said;
    }

    private static boolean holds(Path target, WrittenFile file) throws IOException {
        if (!Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        int mode = (Integer) Files.getAttribute(target, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
        return mode == mode(file) && Files.size(target) <= 1 << 20
                && Arrays.equals(Files.readAllBytes(target), file.text().getBytes(StandardCharsets.UTF_8));
    }

    private static int mode(WrittenFile file) {
        return file.secret() ? 0600 : 0644;
    }
}
