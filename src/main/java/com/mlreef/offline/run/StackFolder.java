package com.mlreef.offline.run;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.mlreef.offline.bundle.BundleException;
import com.mlreef.offline.bundle.BundleManifest;
import com.mlreef.offline.bundle.BundleManifest.ProjectEntry;
import com.mlreef.offline.bundle.BundleVerifier;
import com.mlreef.offline.run.FileChange.Action;
import com.mlreef.offline.stackfile.ProjectFolder;
import com.mlreef.offline.stackfile.StackLabels;
import com.mlreef.offline.stackfile.StackSpec;
import com.mlreef.offline.stackfile.StackSpec.Service;
import com.mlreef.offline.ui.IoReason;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * The stack folder on the offline host ({@link ProjectFolder#STACKS}/NAME, or --project-dir): the files the bundle
 * carries, put there before the containers that mount them are created. What an operator edited there since the last
 * run is kept and named; a file both edited here and changed by the bundle is replaced only when the operator agrees.
 */
public final class StackFolder {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final Path root;
    private final Path tar;
    private final BundleManifest.Project project;
    private final String bundleId;
    private final List<FileChange> changes = new ArrayList<>();
    private final Map<String, String> texts = new HashMap<>();
    private boolean replaceEdited;

    private StackFolder(Path root, Path tar, BundleManifest.Project project, String bundleId) {
        this.root = root.toAbsolutePath().normalize();
        this.tar = tar;
        this.project = project;
        this.bundleId = bundleId;
    }

    /** The stack folder at {@code root} and what the bundle in {@code bundleDir} carries into it (may be nothing). */
    public static StackFolder plan(Path root, Path bundleDir, BundleManifest manifest) {
        BundleManifest.Project project = manifest.project();
        StackFolder folder = new StackFolder(root, project == null ? null : bundleDir.resolve(project.file()),
                project, manifest.id());
        if (project != null) {
            folder.classify();
        }
        return folder;
    }

    public Path root() {
        return root;
    }

    /** The bundle's variables file (.env or the one export was given), a path of the folder; or null. */
    public String envFile() {
        return project == null ? null : project.envFile();
    }

    /**
     * Where the stack file lies in the folder, as it lay in the tree export carried ({@code ""}: in the folder
     * itself): its relative paths resolve against that place.
     */
    public String subpath() {
        return project == null ? "" : project.stackFolder();
    }

    /** Whether the bundle carries files into the folder. */
    public boolean carries() {
        return project != null;
    }

    List<FileChange> changes() {
        return changes;
    }

    /** The lines of the plan: what is put, replaced and kept; nothing when all is as the bundle has it. */
    public List<String> lines() {
        return changes.stream().map(c -> c.line(root.toString())).filter(Objects::nonNull).toList();
    }

    /** The entries edited here and changed by the bundle. */
    public List<String> conflicts() {
        return changes.stream().filter(c -> c.action() == Action.CONFLICT).map(c -> root + "/" + c.entry().path())
                .toList();
    }

    private void classify() {
        CarriedState state = readState();
        for (ProjectEntry entry : project.entries()) {
            ProjectEntry found = StackFolderFiles.found(root, entry);
            ProjectEntry recorded = state == null ? null : state.files().get(entry.path());
            Action action;
            if (same(found, entry)) {
                action = Action.UNCHANGED;
            } else if (found == null) {
                action = Action.ADD;
            } else if (same(found, recorded)) {
                action = Action.UPDATE;
            } else if (same(entry, recorded)) {
                action = Action.KEEP_EDITED;
            } else {
                action = Action.CONFLICT;
            }
            changes.add(new FileChange(entry, found, action));
        }
    }

    /** The same content, type, mode and owner (a folder's content is its entries'). */
    static boolean same(ProjectEntry a, ProjectEntry b) {
        return a != null && b != null && a.type().equals(b.type()) && Objects.equals(a.sha256(), b.sha256())
                && Objects.equals(a.link(), b.link()) && a.mode() == b.mode() && a.uid() == b.uid()
                && a.gid() == b.gid();
    }

    /**
     * The stack, each service that mounts files of this folder labelled with a hash of what they will hold after this
     * run ({@link StackLabels#FILES_LABEL}): a changed file (or secret's or config's text the stack gives) then
     * replaces the containers that mount it.
     */
    public StackSpec labelled(StackSpec spec) {
        Map<String, Service> services = new java.util.LinkedHashMap<>();
        for (Service service : spec.services().values()) {
            StringBuilder held = new StringBuilder();
            for (StackSpec.MountSpec mount : service.mounts()) {
                Path source = Path.of(mount.source()).normalize();
                if (mount.kind() != StackSpec.MountSpec.Kind.BIND || !source.startsWith(root)) {
                    continue;
                }
                String under = root.relativize(source).toString();
                for (FileChange c : changes) {
                    String path = c.entry().path();
                    if (under.isEmpty() || path.equals(under) || path.startsWith(under + "/")) {
                        held.append(path).append(' ').append(describe(after(c))).append('\n');
                    }
                }
                spec.written().stream().filter(w -> w.source().equals(mount.source())).forEach(w -> held
                        .append(under).append(' ').append(WrittenFiles.describe(w)).append('\n'));
            }
            services.put(service.name(), held.length() == 0 ? service : service.withLabels(Map.of(
                    StackLabels.FILES_LABEL, BundleVerifier.sha256Of(held.toString().getBytes(StandardCharsets.UTF_8)))));
        }
        return spec.withServices(services);
    }

    /** What the folder holds at an entry's place once this run is done. */
    private ProjectEntry after(FileChange c) {
        boolean put = c.action() == Action.ADD || c.action() == Action.UPDATE
                || c.action() == Action.CONFLICT && replaceEdited;
        return put ? c.entry() : c.found();
    }

    private static String describe(ProjectEntry e) {
        return e == null ? "-" : e.type() + " " + e.sha256() + " " + e.link() + " " + Integer.toOctalString(e.mode())
                + " " + e.uid() + ":" + e.gid();
    }

    CarriedState readState() {
        Path file = root.resolve(CarriedState.FILE_NAME);
        try {
            return JSON.readValue(Files.readAllBytes(file), CarriedState.class);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            // a damaged record: every difference counts as an edit, so nothing is replaced unasked
            return null;
        }
    }

    /**
     * The files the stack's env_file and variables file are read from: the folder's copy where the run keeps it,
     * else the bundle's (read from project.tar, which the run has not unpacked yet); null when absent.
     */
    public ProjectFolder.Texts texts() {
        return relative -> {
            FileChange change = changes.stream().filter(c -> c.entry().path().equals(relative)).findFirst()
                    .orElse(null);
            boolean fromBundle = change != null && (change.action() == Action.ADD || change.action() == Action.UPDATE
                    || change.action() == Action.CONFLICT && replaceEdited);
            if (!fromBundle) {
                return ProjectFolder.readText(root.resolve(relative));
            }
            if (!texts.containsKey(relative)) {
                texts.put(relative, fromTar(change.entry()));
            }
            return texts.get(relative);
        };
    }

    private String fromTar(ProjectEntry entry) throws IOException {
        if (!entry.type().equals(ProjectEntry.FILE) || entry.size() > ProjectFolder.MAX_ENV_BYTES) {
            throw new IOException("not a file of at most " + ProjectFolder.MAX_ENV_BYTES + " bytes in " + tar);
        }
        try (TarArchiveInputStream in = new TarArchiveInputStream(Files.newInputStream(tar))) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                if (e.getName().equals(entry.path())) {
                    byte[] bytes = in.readNBytes(ProjectFolder.MAX_ENV_BYTES + 1);
                    if (!BundleVerifier.sha256Of(bytes).equals(entry.sha256())) {
                        throw new BundleException(tar + ": " + entry.path() + " differs from bundle.json's sha256"
                                + " (damaged or changed): run 'mlreef-offline verify'");
                    }
                    return new String(bytes, StandardCharsets.UTF_8);
                }
            }
        } catch (IOException e) {
            throw new IOException("reading " + tar + ": " + IoReason.of(e), e);
        }
        throw new BundleException(tar + " does not hold " + entry.path() + ", which bundle.json lists");
    }

    /** Whether edited files the bundle changed will be replaced (their env files then read from the bundle). */
    public void replaceEdited(boolean replace) {
        this.replaceEdited = replace;
    }

    /** Puts the carried files into the folder, then records them; edited files replaced only if {@code replaceEdited}. */
    public List<String> apply(boolean replaceEdited) {
        if (project == null) {
            return List.of();
        }
        CarriedState previous = readState();
        // a folder run makes is run's to remove; one that was there before (the operator's) never is
        boolean created = previous != null ? previous.created() : !Files.exists(root, LinkOption.NOFOLLOW_LINKS);
        try (InputStream in = Files.newInputStream(tar)) {
            List<String> said = new StackFolderFiles(root, changes, replaceEdited).write(in);
            Map<String, ProjectEntry> recorded = new java.util.LinkedHashMap<>();
            if (previous != null) {
                recorded.putAll(previous.files());
            }
            for (FileChange c : changes) {
                recorded.put(c.entry().path(), c.entry());
            }
            com.mlreef.offline.bundle.AtomicFile.write(root.resolve(CarriedState.FILE_NAME),
                    JSON.writeValueAsBytes(new CarriedState(bundleId, recorded, created)));
            return said;
        } catch (IOException e) {
            throw new BundleException("putting the stack's files into " + root + ": " + IoReason.of(e), e);
        }
    }

    /**
     * Whether down --volumes may offer to remove {@code folder}, the stack folder of {@code stack}: the default one
     * is this tool's own; another only when run made it (its record says so).
     */
    public static boolean removable(Path folder, String stack) {
        Path root = folder.toAbsolutePath().normalize();
        if (root.equals(ProjectFolder.STACKS.resolve(stack))) {
            return true;
        }
        CarriedState state = new StackFolder(root, null, null, null).readState();
        return state != null && state.created();
    }

    static boolean exists(Path p) {
        return Files.exists(p, LinkOption.NOFOLLOW_LINKS);
    }
}
