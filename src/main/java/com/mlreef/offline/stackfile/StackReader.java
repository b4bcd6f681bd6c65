package com.mlreef.offline.stackfile;

import com.fasterxml.jackson.databind.JsonNode;
import com.mlreef.offline.stackfile.StackSpec.NetworkSpec;
import com.mlreef.offline.stackfile.StackSpec.PortSpec;
import com.mlreef.offline.stackfile.StackSpec.Service;
import com.mlreef.offline.stackfile.StackSpec.VolumeSpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Reads a stack file's tree into its stack: the top level (name, volumes, networks, services, x-offline), then what
 * holds across services (container names, host ports, joined namespaces, the bundle's file names).
 */
final class StackReader {
    private static final Pattern STACK_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]*");
    private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    private final NodeReader reader;
    private final ProjectRefs refs;
    private final FileMounts fileMounts;
    /** The services' builds, by service, once read. */
    private final Map<String, StackFile.Build> builds = new LinkedHashMap<>();

    StackReader(NodeReader reader, ProjectRefs refs, java.util.function.Consumer<String> warnings) {
        this.reader = reader;
        this.refs = refs;
        this.fileMounts = new FileMounts(reader, refs, warnings);
    }

    /** The builds of the services read, by service name. */
    Map<String, StackFile.Build> builds() {
        return builds;
    }

    /** Compose's top-level keys this tool does not take, and what to do instead. */
    static final Map<String, String> UNSUPPORTED = Map.of(
            "include", "copy the services, volumes and networks of the included files into this file",
            "models", "models need Docker Model Runner, which an offline engine does not have: run the model's server"
                    + " as a service");

    /**
     * The stack, or a {@link StackFileException} naming every problem of the file at once.
     *
     * @param defaultName the stack's name when the file has no {@code name:} key
     */
    StackSpec read(JsonNode root, String defaultName) {
        reader.keys(root, "", List.of("name", "version", "services", "volumes", "networks", "secrets", "configs",
                "x-offline"), UNSUPPORTED);
        String name = reader.attempt(() -> name(root, defaultName), defaultName);
        refs.stack(name);
        reader.attempt(() -> fileMounts.readTop(root));
        Map<String, VolumeSpec> volumes = new LinkedHashMap<>();
        reader.attempt(() -> reader.entries(root.get("volumes"), "volumes").forEach(e -> reader.attempt(() ->
                volumes.put(e.getKey(), volume(e.getKey(), e.getValue(), "volumes." + e.getKey())))));
        Map<String, NetworkSpec> networks = new LinkedHashMap<>();
        NetworkReader networkReader = new NetworkReader(reader);
        reader.attempt(() -> reader.entries(root.get("networks"), "networks").forEach(e -> reader.attempt(() ->
                networks.put(e.getKey(), networkReader.network(e.getKey(), e.getValue(), "networks." + e.getKey())))));
        if (!root.has("services") || !root.get("services").isObject() || root.get("services").isEmpty()) {
            reader.problems().add(reader.error("services", "the stack needs at least one service"));
            reader.problems().throwIfAny();
        }
        StartOrder startOrder = new StartOrder(reader);
        ServiceReader serviceReader = new ServiceReader(reader, volumes, networks, name, startOrder, builds)
                .withFiles(refs, fileMounts);
        Map<String, Service> services = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : reader.entries(root.get("services"), "services")) {
            String path = "services." + e.getKey();
            if (reader.attempt(() -> serviceReader.active(e.getValue(), path), true)) {
                reader.attempt(() -> services.put(e.getKey(), serviceReader.read(e.getKey(), e.getValue(), path)));
            }
        }
        if (services.isEmpty() && !reader.problems().any()) {
            throw reader.error("services", "every service is in a profile not given: name one with --profile (or"
                    + " COMPOSE_PROFILES)");
        }
        List<String> extra = new ArrayList<>();
        Map<String, String> files = new LinkedHashMap<>();
        reader.attempt(() -> offline(root.get("x-offline"), extra, files));
        Map<String, Service> ordered = reader.attempt(() -> startOrder.of(services), services);
        StackSpec spec = new StackSpec(name, ordered, volumes, networks, extra, files, refs.carried(), refs.root(),
                refs.written());
        reader.attempt(() -> checkUnique(spec));
        reader.attempt(() -> checkJoinedNamespaces(spec));
        reader.attempt(() -> checkFiles(spec, files));
        reader.problems().throwIfAny();
        return spec;
    }

    private String name(JsonNode root, String defaultName) {
        String name = root.has("name") ? reader.string(root.get("name"), "name") : defaultName;
        if (!STACK_NAME.matcher(name).matches()) {
            throw reader.error("name", "'" + name + "' is not a valid stack name (lower-case letters, digits, - and _)");
        }
        return name;
    }

    private VolumeSpec volume(String key, JsonNode node, String path) {
        if (!NodeReader.NAME.matcher(key).matches()) {
            throw reader.error(path, "'" + key + "' is not a valid volume name");
        }
        if (node == null || node.isNull()) {
            return new VolumeSpec(key, false, Map.of());
        }
        reader.object(node, path);
        reader.keys(node, path, "name", "external", "labels", "driver", "driver_opts");
        String name = node.has("name") ? reader.string(node.get("name"), path + ".name") : key;
        if (!NodeReader.NAME.matcher(name).matches()) {
            throw reader.error(path + ".name", "'" + name + "' is not a valid volume name");
        }
        return new VolumeSpec(name, reader.bool(node.get("external"), path + ".external"),
                reader.stringMap(node.get("labels"), path + ".labels"), reader.driver(node, path),
                new TreeMap<>(reader.stringMap(node.get("driver_opts"), path + ".driver_opts")));
    }

    /** The stack's {@code x-offline}: images carried although no service runs them, and images' file names. */
    private void offline(JsonNode offline, List<String> extra, Map<String, String> files) {
        if (offline == null || offline.isNull()) {
            return;
        }
        reader.keys(offline, "x-offline", "images", "files");
        for (String image : reader.stringList(offline.get("images"), "x-offline.images")) {
            extra.add(reader.image(image, "x-offline.images"));
        }
        for (Map.Entry<String, JsonNode> e : reader.entries(offline.get("files"), "x-offline.files")) {
            String path = "x-offline.files." + e.getKey();
            String file = fileName(e.getValue(), path);
            files.put(reader.image(e.getKey(), path), file);
        }
    }

    /** An image's file name in the bundle. */
    private String fileName(JsonNode node, String path) {
        String file = reader.string(node, path);
        if (!FILE_NAME.matcher(file).matches() || file.contains("..")) {
            throw reader.error(path, "'" + file + "' is not a plain file name: letters, digits, '.', '_' and '-',"
                    + " starting with a letter or digit; no folders, no ..");
        }
        if (file.length() > StackSpec.MAX_FILE_NAME) {
            throw reader.error(path, "a name of " + file.length() + " characters; at most "
                    + StackSpec.MAX_FILE_NAME + " (file systems take 255, and export adds .zst.partial"
                    + " while it writes)");
        }
        if (file.endsWith(".partial")) {
            throw reader.error(path, "'" + file + "': a name ending in .partial is export's name for a file it"
                    + " is still writing");
        }
        return file;
    }

    /** Each file of x-offline.files names an image of the stack, and no two images share one. */
    private void checkFiles(StackSpec spec, Map<String, String> files) {
        for (String image : files.keySet()) {
            if (!spec.images().contains(image)) {
                reader.problems().add(reader.error("x-offline.files." + image, "names an image the stack neither"
                        + " runs nor lists in x-offline.images"));
            }
        }
        Map<String, String> byName = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : files.entrySet()) {
            String other = byName.putIfAbsent(e.getValue().toLowerCase(Locale.ROOT), e.getKey());
            if (other != null) {
                throw reader.error("x-offline.files", other + " and " + e.getKey() + " share the file name "
                        + e.getValue() + " (names that differ only in case are one name on the FAT and exFAT file"
                        + " systems of USB sticks): give each image its own, or name one of them only");
            }
        }
    }

    /**
     * No two services share a container name or a host port (on the same address and protocol); each clash is kept
     * as a problem.
     */
    private void checkUnique(StackSpec spec) {
        Map<String, String> containers = new LinkedHashMap<>();
        Map<String, List<String>> published = new LinkedHashMap<>();
        for (Service service : spec.services().values()) {
            String path = "services." + service.name();
            String other = containers.putIfAbsent(service.containerName(spec.name()), service.name());
            if (other != null) {
                reader.problems().add(reader.error(path + ".container_name", "'" + service.containerName(spec.name())
                        + "' is also the container name of service " + other));
            }
            for (PortSpec port : service.ports()) {
                String key = port.hostPort() + "/" + port.protocol();
                List<String> holders = published.computeIfAbsent(key, k -> new ArrayList<>());
                holders.stream().map(h -> h.split(" ", 2)).filter(h -> PortSyntax.overlaps(h[0], port.hostIp()))
                        .findFirst().ifPresent(h -> reader.problems().add(reader.error(path + ".ports", "host port "
                                + key + " is also published by service " + h[1])));
                holders.add(port.hostIp() + " " + service.name());
            }
        }
    }

    /**
     * A service that joins the pid or ipc namespace of another container of the stack would lose it whenever run
     * replaces that container (the engine ties it to that container's ID): refused, with what to do instead.
     */
    private void checkJoinedNamespaces(StackSpec spec) {
        Set<String> containers = new HashSet<>();
        spec.services().values().forEach(s -> containers.add(s.containerName(spec.name())));
        for (Service service : spec.services().values()) {
            Map<String, Object> host = service.options().hostConfig();
            for (String key : List.of("pid", "ipc")) {
                Object mode = host == null ? null : host.get(key.equals("pid") ? "PidMode" : "IpcMode");
                if (mode instanceof String m && m.startsWith("container:")
                        && containers.contains(m.substring("container:".length()))) {
                    reader.problems().add(reader.error("services." + service.name() + "." + key, "'" + m + "' joins a container of"
                            + " this stack, which run replaces when it changes, leaving " + service.name() + " unable"
                            + " to start; share it through the host (" + key + ": host" + (key.equals("ipc")
                            ? ", or a tmpfs volume both mount" : "") + ") instead"));
                }
            }
        }
    }
}
