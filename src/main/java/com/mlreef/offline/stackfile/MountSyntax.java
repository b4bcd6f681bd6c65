package com.mlreef.offline.stackfile;

import com.fasterxml.jackson.databind.JsonNode;
import com.mlreef.offline.stackfile.StackSpec.MountSpec;
import com.mlreef.offline.stackfile.StackSpec.VolumeSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A service's mounts ({@code volumes}): named volumes of the stack and bind mounts, in the short or long syntax. */
final class MountSyntax {
    private final NodeReader reader;
    private ProjectRefs refs;

    MountSyntax(NodeReader reader) {
        this.reader = reader;
    }

    /** Relative bind sources resolve against the project folder. */
    void withFiles(ProjectRefs projectRefs) {
        this.refs = projectRefs;
    }

    /** Adds {@code more} mounts (secrets, configs), at most one at each target. */
    void add(List<MountSpec> mounts, List<MountSpec> more, String path) {
        for (MountSpec mount : more) {
            if (mounts.stream().anyMatch(other -> other.target().equals(mount.target()))) {
                throw reader.error(path, "two mounts at " + mount.target());
            }
            mounts.add(mount);
        }
    }

    /**
     * The mounts of a service's {@code volumes} list, at most one at each target.
     *
     * @param anonymous filled with the targets of anonymous volumes ({@code - /var/lib/x}): a new unnamed volume
     *                  each, which a replacement takes over, as Compose does
     */
    List<MountSpec> read(JsonNode node, String path, Map<String, VolumeSpec> volumes, List<String> anonymous) {
        List<MountSpec> mounts = new ArrayList<>();
        for (String m : reader.shortOrLong(node, path, this::longVolume)) {
            reader.attempt(() -> {
                String target = m.startsWith(":") ? m.substring(1) : m; // the long syntax's, without source
                if (target.startsWith("/") && !target.contains(":")) {
                    if (anonymous.contains(target) || mounts.stream().anyMatch(o -> o.target().equals(target))) {
                        throw reader.error(path, "two mounts at " + target);
                    }
                    anonymous.add(target);
                    return;
                }
                MountSpec mount = mount(m, path, volumes);
                if (anonymous.contains(mount.target())) {
                    throw reader.error(path, "two mounts at " + mount.target());
                }
                if (mounts.stream().anyMatch(other -> other.target().equals(mount.target()))) {
                    throw reader.error(path, "two mounts at " + mount.target());
                }
                mounts.add(mount);
            });
        }
        return mounts;
    }

    private MountSpec mount(String text, String path, Map<String, VolumeSpec> volumes) {
        String[] parts = text.split(":");
        if (parts.length < 2 || parts.length > 3) {
            throw reader.error(path, "'" + text + "' is not SOURCE:TARGET[:ro] or an anonymous volume's /PATH");
        }
        boolean readOnly = false;
        String relabel = null;
        if (parts.length == 3) {
            // consistency (cached, delegated, consistent) is Docker Desktop's, nocopy the engine's default for binds
            List<String> modes = List.of(parts[2].split(",", -1)).stream()
                    .filter(m -> !List.of("cached", "delegated", "consistent", "nocopy").contains(m)).toList();
            long access = modes.stream().filter(m -> m.equals("ro") || m.equals("rw")).count();
            long labels = modes.stream().filter(m -> m.equals("z") || m.equals("Z")).count();
            if (access + labels != modes.size() || access > 1 || labels > 1) {
                throw reader.error(path, "'" + text + "': the mode is ro or rw, and z or Z (SELinux labels), such as"
                        + " ro,z");
            }
            readOnly = modes.contains("ro");
            relabel = modes.contains("z") ? "z" : modes.contains("Z") ? "Z" : null;
        }
        String target = parts[1];
        if (!target.startsWith("/")) {
            throw reader.error(path, "'" + text + "': the target must be an absolute path in the container");
        }
        String source = parts[0];
        if (source.startsWith("/")) {
            return new MountSpec(MountSpec.Kind.BIND, source, target, readOnly, relabel);
        }
        if (ProjectPaths.isRelative(source)) {
            return new MountSpec(MountSpec.Kind.BIND, refs.source(source, CarriedFile.Use.BIND, path), target,
                    readOnly, relabel);
        }
        if (source.startsWith("~")) {
            return new MountSpec(MountSpec.Kind.BIND, home(source, text, path), target, readOnly, relabel);
        }
        VolumeSpec volume = volumes.get(source);
        if (volume == null) {
            throw reader.error(path, "volume '" + source + "' is not declared under the top-level volumes");
        }
        return new MountSpec(MountSpec.Kind.VOLUME, volume.name(), target, readOnly, relabel);
    }

    /**
     * A source in the home folder ({@code ~} or {@code ~/path}), as Compose expands it: the home folder of the user
     * who reads the stack ({@code HOME} of the variables, else the JVM's); run reads it on the offline host, so there
     * it is that host's. A path of the host, neither carried nor checked here, as an absolute one.
     */
    private String home(String source, String text, String path) {
        if (!source.equals("~") && !source.startsWith("~/")) {
            throw reader.error(path, "'" + text + "': ~USER is not taken; give ~/PATH (the home folder of the user"
                    + " who runs the stack), an absolute host path, or a path relative to the stack file's folder");
        }
        String home = reader.variable("HOME");
        if (home == null || !home.startsWith("/")) {
            home = System.getProperty("user.home");
        }
        String rest = source.substring(1).replaceFirst("^/+", "");
        String folder = home.endsWith("/") && home.length() > 1 ? home.substring(0, home.length() - 1) : home;
        return rest.isEmpty() ? folder : (folder.equals("/") ? "" : folder) + "/" + rest;
    }

    /** A mount in Compose's long syntax (type volume or bind, source, target, read_only, bind.selinux), as the short one. */
    private String longVolume(JsonNode node, String path) {
        reader.keys(node, path, "type", "source", "target", "read_only", "bind", "volume", "consistency");
        if (node.has("volume") && !node.get("volume").isNull()) {
            reader.keys(node.get("volume"), path + ".volume", List.of("nocopy"), Map.of("subpath", "subpath needs"
                    + " Docker Engine API 1.45; mount the whole volume"));
        }
        String type = node.has("type") ? reader.string(node.get("type"), path + ".type") : "volume";
        if (!type.equals("volume") && !type.equals("bind")) {
            throw reader.error(path + ".type", "'" + type + "' is not volume or bind (the others keep nothing across"
                    + " upgrades)");
        }
        if (!node.has("target")) {
            throw reader.error(path, "a mount needs a target");
        }
        if (!node.has("source") && type.equals("volume")) { // an anonymous volume
            return ":" + reader.string(node.get("target"), path + ".target");
        }
        if (!node.has("source")) {
            throw reader.error(path, "a bind mount needs a source");
        }
        String source = reader.string(node.get("source"), path + ".source");
        boolean isPath = type.equals("bind")
                || source.startsWith("/") || source.startsWith("~") || ProjectPaths.isRelative(source);
        if (type.equals("volume") == isPath) {
            throw reader.error(path + ".source", "'" + source + "': a " + type + (type.equals("bind")
                    ? " mount needs a host path, absolute or relative to the stack file's folder (./DIR)"
                    : " is named, not a path"));
        }
        if (type.equals("bind") && !source.startsWith("/") && !source.startsWith(".") && !source.startsWith("~")) {
            source = "./" + source;
        }
        String selinux = null;
        if (node.has("bind") && !node.get("bind").isNull()) {
            reader.keys(node.get("bind"), path + ".bind", "selinux");
            selinux = node.get("bind").has("selinux")
                    ? reader.string(node.get("bind").get("selinux"), path + ".bind.selinux") : null;
        }
        return new MountSpec(type.equals("bind") ? MountSpec.Kind.BIND : MountSpec.Kind.VOLUME, source,
                reader.string(node.get("target"), path + ".target"), reader.bool(node.get("read_only"),
                path + ".read_only"), selinux).bind();
    }
}
