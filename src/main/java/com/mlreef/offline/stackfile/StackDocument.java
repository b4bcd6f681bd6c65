package com.mlreef.offline.stackfile;

import com.fasterxml.jackson.databind.JsonNode;
import com.mlreef.offline.ui.IoReason;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
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

    private StackDocument(String text, String source, String defaultName, StackYaml.Tree tree) {
        this.text = text;
        this.source = source;
        this.defaultName = defaultName;
        this.root = tree.root();
        this.lines = tree.lines();
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
        return new StackDocument(text, source, defaultName, tree);
    }

    /**
     * Reads a stack file, or the embedded default when {@code file} is null, or standard input for {@code -}. A file
     * without a {@code name:} key names its stack after itself, as Compose names a project after its folder.
     */
    public static StackDocument load(Path file, Consumer<String> warnings) {
        if (file == null) {
            return of(StackFile.defaultText(), "the default stack", "mlreef");
        }
        if (file.toString().equals("-")) { // as Compose's -f -; named after the working folder, as Compose does
            return of(standardInput(), "the stack file on standard input",
                    StackFile.nameFromFile(Path.of("").toAbsolutePath().resolve("compose.yaml")));
        }
        String text = readFile(file);
        Path folder = file.toAbsolutePath().getParent();
        if (folder != null && Files.isRegularFile(folder.resolve(".env"))) {
            warnings.accept(folder.resolve(".env") + " is not read (a bundle could not carry it to the offline host):"
                    + " set its variables in the environment, or give defaults in the stack file (${VAR:-value})");
        }
        return of(text, file.toString(), StackFile.nameFromFile(file));
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

    /** The stack as {@link #resolve} gives it, with the text and the values the images' variables took. */
    public StackFile.Loaded resolveLoaded(Map<String, String> variables, Consumer<String> warnings) {
        Interpolation interpolation = new Interpolation(variables, warnings);
        StackReader stackReader = new StackReader(new NodeReader(source, interpolation, lines));
        StackSpec spec = stackReader.read(root, defaultName);
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
