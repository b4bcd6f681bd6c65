package com.mlreef.offline.stackfile;

import com.fasterxml.jackson.databind.JsonNode;
import com.mlreef.offline.stackfile.CarriedFile.Use;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What a stack's keys reference in its project, while the stack is read: relative sources resolved against the stack
 * file's folder (they may lead above it), env files read through it, and every such file listed for {@code export} to
 * carry.
 */
final class ProjectRefs {
    /** The stack folder's folder of secrets and configs written from variables or inline text. */
    static final String WRITTEN = ".mlreef-offline-written";

    private final NodeReader reader;
    private final ProjectFolder folder;
    private final Interpolation interpolation;
    private final Consumer<String> warnings;
    private final List<CarriedFile> carried = new ArrayList<>();
    private final List<StackSpec.WrittenFile> written = new ArrayList<>();
    private final boolean valuesNeeded;
    private Path root;
    private Path base;

    ProjectRefs(NodeReader reader, ProjectFolder folder, Interpolation interpolation, Consumer<String> warnings,
                boolean valuesNeeded) {
        this.reader = reader;
        this.folder = folder;
        this.interpolation = interpolation;
        this.warnings = warnings;
        this.valuesNeeded = valuesNeeded;
    }

    /** Whether a secret or config given by an unset variable is refused (false: read as empty). */
    boolean valuesNeeded() {
        return valuesNeeded;
    }

    /** Once the stack's name is known: the folder its relative paths resolve against. */
    void stack(String name) {
        root = folder.root(name);
        base = folder.base(name);
    }

    /** The folder relative paths resolve against. */
    Path root() {
        return root;
    }

    /** The files the stack references, each once, in the order it names them. */
    List<CarriedFile> carried() {
        Map<String, CarriedFile> once = new LinkedHashMap<>();
        carried.forEach(c -> once.merge(c.path() + " " + c.use(), c, (a, b) -> a.required() ? a : b));
        return List.copyOf(once.values());
    }

    /** The secrets and configs whose text the stack gives, which run writes into the stack folder. */
    List<StackSpec.WrittenFile> written() {
        return List.copyOf(written);
    }

    /**
     * Where run writes a secret's or config's text given by the stack ({@code key} secrets or configs): in the
     * stack folder's {@value #WRITTEN} folder.
     */
    String written(String key, String name, String text, String path) {
        String source = base.resolve(WRITTEN).resolve(key).resolve(name).toString();
        written.add(new StackSpec.WrittenFile(source, text, key.equals("secrets"), reader.where(path)));
        return source;
    }

    /**
     * A source as the engine takes it: an absolute path as given, a relative one resolved against the stack file's
     * folder (lexically, as Compose does: {@code ../conf} is the folder beside it).
     */
    String source(String source, Use use, String path) {
        if (!ProjectPaths.isRelative(source)) {
            return source;
        }
        String relative = relative(source, path);
        carried.add(new CarriedFile(relative, use, path, true));
        return resolve(relative).toString();
    }

    private Path resolve(String relative) {
        return relative.equals(".") ? root : root.resolve(relative).normalize();
    }

    /** A file's source: relative even without ./ (secrets' and configs' file:). */
    String fileSource(String file, Use use, String path) {
        return file.startsWith("/") ? file : source(file.startsWith(".") ? file : "./" + file, use, path);
    }

    /** The variables of a service's env_file entries, later files over earlier ones. */
    Map<String, String> envFiles(JsonNode node, String path) {
        Map<String, String> values = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return values;
        }
        List<JsonNode> items = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(items::add);
        } else {
            items.add(node);
        }
        for (int i = 0; i < items.size(); i++) {
            JsonNode item = items.get(i);
            String itemPath = node.isArray() ? path + "[" + i + "]" : path;
            boolean required = true;
            String file;
            if (item != null && item.isObject()) {
                reader.keys(item, itemPath, "path", "required", "format");
                file = reader.string(item.get("path"), itemPath + ".path");
                required = !item.has("required") || reader.bool(item.get("required"), itemPath + ".required");
                if (item.has("format") && !reader.string(item.get("format"), itemPath + ".format").equals("raw")) {
                    throw reader.error(itemPath + ".format", "only raw is a format besides the default");
                }
            } else {
                file = reader.string(item, itemPath);
            }
            values.putAll(envFile(file, required, itemPath));
        }
        return values;
    }

    private Map<String, String> envFile(String file, boolean required, String path) {
        if (file.startsWith("/")) {
            throw reader.error(path, "'" + file + "' is a path of this host, which a bundle does not carry: put the"
                    + " file in the project and give its path relative to the stack file's folder");
        }
        String relative = relative(file, path);
        carried.add(new CarriedFile(relative, Use.ENV_FILE, path, required));
        String text = folder.text(relative, path);
        if (text == null) {
            if (required && folder.readsFiles()) {
                throw reader.error(path, "env file " + resolve(relative) + " does not exist (give required:"
                        + " false if it may be missing)");
            }
            return Map.of();
        }
        return EnvFileSyntax.parse(text, resolve(relative).toString(), interpolation::value, warnings);
    }

    private String relative(String relative, String path) {
        return folder.relative(relative, reader.where(path));
    }
}
