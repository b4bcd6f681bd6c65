package com.mlreef.offline.stackfile;

import com.fasterxml.jackson.databind.JsonNode;
import com.mlreef.offline.ui.IoReason;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * A stack file read and composed once: its YAML tree, where it came from, and the variables it takes. Variables are
 * resolved on the tree, as often as a caller needs the stack with other values (run sets PIP_SERVER once the network's
 * gateway is known), without reading the text again.
 */
public final class StackDocument {
    /** The most a stack file may hold, as the YAML reader takes it. */
    private static final int MAX_BYTES = 3 << 20;

    private final String text;
    private final String source;
    private final String defaultName;
    private final JsonNode root;
    private final Map<String, Integer> lines;
    private final Set<String> variables;
    private final ProjectFolder project;
    private final String envFile;

    private final StackYaml.Tree tree;
    /** Files of this host the variables are read from instead of the project's variables file (run --env-file). */
    private List<Path> variablesFiles = List.of();
    /** Whether a secret or config given by an unset variable is refused (run writes them; other commands do not). */
    private boolean valuesNeeded = true;

    private StackDocument(String text, String source, String defaultName, StackYaml.Tree tree, ProjectFolder project,
                          String envFile) {
        this.text = text;
        this.source = source;
        this.defaultName = defaultName;
        this.tree = tree;
        this.root = tree.root();
        this.lines = tree.lines();
        this.project = project;
        this.envFile = envFile;
        Set<String> names = new TreeSet<>();
        names(root, names::add);
        this.variables = Collections.unmodifiableSet(names);
    }

    /**
     * Composes a stack file's text.
     *
     * @param source      where the text came from, for messages (a path, or "the default stack")
     * @param defaultName the stack's name when the file has no {@code name:} key
     */
    public static StackDocument of(String text, String source, String defaultName) {
        StackYaml.Tree tree = StackYaml.parse(text, source);
        if (tree.root() == null || !tree.root().isObject()) {
            throw new StackFileException(source + " is not a stack file: expected a mapping with 'services'");
        }
        return new StackDocument(text, source, defaultName, tree, ProjectFolder.unread(), DOTENV);
    }

    /** The variables file Compose reads beside the stack file, unless --env-file names another. */
    public static final String DOTENV = ".env";

    /**
     * The same document with its relative paths resolved against {@code folder}, and its variables file
     * ({@link #DOTENV} unless given, relative to the folder) read through it.
     */
    public StackDocument withProject(ProjectFolder folder, String variablesFile) {
        StackDocument document = new StackDocument(text, source, defaultName, tree, folder,
                variablesFile == null ? DOTENV : variablesFile);
        document.variablesFiles = variablesFiles;
        document.valuesNeeded = valuesNeeded;
        return document;
    }

    /**
     * The same document for a command that does not write the stack's secrets and configs (verify, status, down...):
     * one given by {@code environment: VAR} with VAR unset is read as empty instead of refused, since only run needs
     * its value.
     */
    public StackDocument withoutWrittenValues() {
        StackDocument document = withProject(project, envFile);
        document.valuesNeeded = false;
        return document;
    }

    /**
     * The same document reading its variables from {@code files} of this host, in their order (a later file's value
     * wins), instead of the project's variables file, as Compose's --env-file: the environment still wins over them.
     */
    public StackDocument withVariablesFiles(List<Path> files) {
        StackDocument document = withProject(project, envFile);
        document.variablesFiles = List.copyOf(files);
        return document;
    }

    /**
     * The same document reading its variables from {@code file} (a path of this host, as --env-file gives it) instead
     * of .env; export carries it with the project's other files, so it may lie above the stack file's folder as they
     * may.
     */
    public StackDocument withEnvFile(Path file) {
        if (file == null) {
            return this;
        }
        Path root = project.root(defaultName);
        Path absolute = file.toAbsolutePath().normalize();
        if (absolute.equals(root) || root.startsWith(absolute)) {
            throw new StackFileException("--env-file: " + file + " is a folder that holds the stack file, not a"
                    + " variables file");
        }
        return withProject(project, project.relative(root.relativize(absolute).toString(), "--env-file"));
    }

    /** The variables file, relative to the stack file's folder. */
    public String envFile() {
        return envFile;
    }

    /**
     * Reads a stack file (with its override file, as {@link #loadAll}), or the embedded default when {@code file} is
     * null, or standard input for {@code -}. A file without a {@code name:} key names its stack after itself, as
     * Compose names a project after its folder.
     */
    public static StackDocument load(Path file, Consumer<String> warnings) {
        if (file == null) {
            return of(StackFile.defaultText(), "the default stack", "mlreef");
        }
        return loadAll(List.of(file), warnings);
    }

    private static StackDocument loadOne(Path file) {
        if (file.toString().equals("-")) { // as Compose's -f -; named after the working folder, as Compose does
            return of(standardInput(), "the stack file on standard input",
                    StackFile.nameFromFile(Path.of("").toAbsolutePath().resolve("compose.yaml")))
                    .withProject(ProjectFolder.of(Path.of("")), null);
        }
        String text = readFile(file);
        Path folder = file.toAbsolutePath().normalize().getParent();
        return of(text, file.toString(), StackFile.nameFromFile(file)).withProject(ProjectFolder.of(folder), null);
    }

    /**
     * Reads the stack files given ({@code -f A -f B}), each merged over the ones before it as Compose merges them;
     * one file of Compose's names (compose.yaml, docker-compose.yml...) with an override file beside it
     * (compose.override.yaml, docker-compose.override.yml...) is merged with it, as docker compose does in that folder.
     * None: the embedded default. Relative paths resolve against the first file's folder; the merged text is what a
     * bundle keeps.
     */
    public static StackDocument loadAll(List<Path> files, Consumer<String> warnings) {
        if (files == null || files.isEmpty()) {
            return load(null, warnings);
        }
        List<Path> all = new java.util.ArrayList<>(files);
        if (all.size() == 1 && !all.get(0).toString().equals("-")) {
            Path override = override(all.get(0));
            if (override != null) {
                warnings.accept("reading " + override + " too, as docker compose does beside "
                        + all.get(0).getFileName() + " (give -f " + all.get(0) + " -f " + override
                        + " to say so, or rename it to leave it out)");
                all.add(override);
            }
        }
        if (all.size() == 1) {
            return loadOne(all.get(0));
        }
        List<ComposeMerge.Part> parts = new java.util.ArrayList<>();
        for (Path file : all) {
            if (file.toString().equals("-")) {
                throw new StackFileException("-f -: standard input is taken as the only stack file");
            }
            StackYaml.Tree tree = StackYaml.parse(readFile(file), file.toString());
            if (tree.root() == null || !tree.root().isObject()) {
                throw new StackFileException(file + " is not a stack file: expected a mapping");
            }
            parts.add(new ComposeMerge.Part(tree, file.toString()));
        }
        ComposeMerge.Merged merged = ComposeMerge.merge(parts);
        Path first = all.get(0);
        StackYaml.Tree tree = new StackYaml.Tree(merged.root(), merged.lines(), Map.of(), merged.origins());
        return new StackDocument(ComposeYaml.write(merged.root()), first.toString(), StackFile.nameFromFile(first),
                tree, ProjectFolder.of(first.toAbsolutePath().normalize().getParent()), DOTENV);
    }

    /** Compose's override files, looked for beside a file of Compose's own names. */
    private static final List<String> OVERRIDES = List.of("compose.override.yaml", "compose.override.yml",
            "docker-compose.override.yml", "docker-compose.override.yaml");
    private static final Set<String> COMPOSE_FILES = Set.of("compose.yaml", "compose.yml", "docker-compose.yml",
            "docker-compose.yaml");

    /** The override file beside a file of Compose's names, or null. */
    static Path override(Path file) {
        if (file.getFileName() == null || !COMPOSE_FILES.contains(file.getFileName().toString())) {
            return null;
        }
        Path folder = file.getParent() == null ? Path.of("") : file.getParent();
        for (String name : OVERRIDES) {
            Path candidate = folder.resolve(name);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    private static String readFile(Path file) {
        try {
            if (Files.exists(file)) {
                if (!Files.isRegularFile(file)) {
                    throw new StackFileException("stack file " + file + " is not a regular file");
                }
                long size = Files.size(file);
                if (size > MAX_BYTES) {
                    throw new StackFileException("stack file " + file + " has " + size + " bytes, more than a stack"
                            + " file's " + MAX_BYTES + "; is it the right file?");
                }
            }
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new StackFileException("stack file " + file + " does not exist");
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new StackFileException("stack file " + file + " is not text (UTF-8): is it the right file?");
        } catch (IOException e) {
            throw new StackFileException("cannot read stack file " + file + ": " + IoReason.of(e));
        }
    }

    /** A stack file read from standard input ({@code -f -}): it can be read once, so its caller keeps the document. */
    private static String standardInput() {
        try {
            byte[] bytes = System.in.readNBytes(MAX_BYTES + 1);
            if (bytes.length > MAX_BYTES) {
                throw new StackFileException("the stack file on standard input has more than a stack file's "
                        + MAX_BYTES + " bytes");
            }
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new StackFileException("the stack file on standard input is not text (UTF-8)");
        } catch (IOException e) {
            throw new StackFileException("cannot read the stack file on standard input: " + IoReason.of(e));
        }
    }

    /** The variables of the values under {@code node}; not of keys, nor of extensions (x-, but x-offline). */
    private static void names(JsonNode node, Consumer<String> into) {
        if (node.isTextual()) {
            Interpolation.names(node.asText(), into);
        }
        node.fields().forEachRemaining(e -> {
            if (!e.getKey().startsWith("x-") || e.getKey().equals("x-offline")) {
                names(e.getValue(), into);
            }
        });
        if (node.isArray()) {
            node.forEach(item -> names(item, into));
        }
    }

    /** The text as written. */
    public String text() {
        return text;
    }

    /** Where the text came from, as messages name it. */
    public String source() {
        return source;
    }

    /** The stack's name when the file has no {@code name:} key. */
    public String defaultName() {
        return defaultName;
    }

    /** The variables the stack's values take ({@code $VAR}, {@code ${VAR...}}), set or not; comments take none. */
    public Set<String> variables() {
        return variables;
    }

    /** Whether a value of the stack takes {@code variable}. */
    public boolean uses(String variable) {
        return variables.contains(variable);
    }

    /**
     * The stack, its values interpolated with {@code variables} and checked.
     *
     * @param variables for {@code ${VAR}} interpolation (the environment, plus -s as PIP_SERVER)
     */
    public StackSpec resolve(Map<String, String> variables, Consumer<String> warnings) {
        return resolveLoaded(variables, warnings).spec();
    }

    /**
     * The variables of the project's variables file ({@code .env}) under {@code variables}: the environment wins, as
     * in Compose; the file's values take the environment's and its own earlier ones.
     */
    private Map<String, String> withDotenv(Map<String, String> variables, Consumer<String> warnings) {
        if (!variablesFiles.isEmpty()) {
            return fromFiles(variables, warnings);
        }
        String dotenv = project.text(envFile, source);
        if (dotenv == null) {
            if (project.readsFiles() && !envFile.equals(DOTENV)) {
                throw new StackFileException("--env-file: " + project.root(defaultName).resolve(envFile)
                        .normalize() + " does not exist");
            }
            return variables;
        }
        Map<String, String> all = new java.util.HashMap<>(EnvFileSyntax.parse(dotenv,
                project.root(defaultName).resolve(envFile).normalize().toString(), variables::get, warnings));
        all.putAll(variables);
        return all;
    }

    /** The variables of {@link #variablesFiles}, a later file's over an earlier's, under {@code variables}. */
    private Map<String, String> fromFiles(Map<String, String> variables, Consumer<String> warnings) {
        Map<String, String> all = new java.util.HashMap<>();
        for (Path file : variablesFiles) {
            String content;
            try {
                content = ProjectFolder.readText(file);
            } catch (IOException e) {
                throw new StackFileException("--env-file: cannot read " + file + ": " + IoReason.of(e));
            }
            if (content == null) {
                throw new StackFileException("--env-file: " + file + " does not exist");
            }
            all.putAll(EnvFileSyntax.parse(content, file.toString(),
                    n -> variables.containsKey(n) ? variables.get(n) : all.get(n), warnings));
        }
        all.putAll(variables);
        return all;
    }

    /**
     * The stack checked, then written in Compose form with its variables resolved, as {@code docker compose config}
     * prints it (see {@link ResolvedYaml}).
     */
    public String resolvedText(Map<String, String> variables, Consumer<String> warnings) {
        StackSpec spec = resolve(variables, warnings);
        Interpolation quiet = new Interpolation(withDotenv(variables, w -> { }), w -> { });
        return ResolvedYaml.write(root, spec, quiet);
    }

    /** The stack as {@link #resolve} gives it, with the text and the values the images' variables took. */
    public StackFile.Loaded resolveLoaded(Map<String, String> variables, Consumer<String> warnings) {
        Map<String, String> all = withDotenv(variables, warnings);
        Interpolation interpolation = new Interpolation(all, warnings);
        NodeReader reader = new NodeReader(source, interpolation, lines, tree.origins());
        ProjectRefs refs = new ProjectRefs(reader, project, interpolation, warnings, valuesNeeded);
        StackReader stackReader = new StackReader(reader, refs, warnings);
        StackSpec spec = stackReader.read(root, defaultName);
        if (project.text(envFile, source) != null) {
            List<CarriedFile> carried = new java.util.ArrayList<>(spec.carried());
            carried.add(new CarriedFile(project.relative(envFile, "--env-file"), CarriedFile.Use.DOTENV,
                    "the variables file", false));
            spec = new StackSpec(spec.name(), spec.services(), spec.volumes(), spec.networks(), spec.extraImages(),
                    spec.files(), List.copyOf(carried), spec.project(), spec.written());
        }
        Map<String, String> imageVariables = new TreeMap<>();
        interpolation.used().forEach((where, names) -> {
            String path = where.substring(where.lastIndexOf(": ") + 2);
            if (path.endsWith(".image") || path.startsWith("x-offline.images")) {
                names.forEach(n -> imageVariables.put(n, variables.get(n)));
            }
        });
        return new StackFile.Loaded(text, spec, imageVariables, Map.copyOf(stackReader.builds()));
    }
}
