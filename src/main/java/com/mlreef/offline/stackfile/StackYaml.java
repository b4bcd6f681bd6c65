package com.mlreef.offline.stackfile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.StringReader;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * A stack file's YAML as a tree of mappings, lists, text and nulls, read as Compose reads it (YAML 1.2): {@code no},
 * {@code yes}, {@code on} and {@code off} are words, not booleans; an unquoted number is written as its value
 * ({@code 010} is 10, {@code 1.10} is 1.1, {@code 0x1F} is 31) and an unquoted {@code True} is {@code true}; quoted
 * text stays as written. {@code <<} merges the mappings it names (anchors and aliases). A key given twice, a second
 * document, an alias that contains itself, too many nodes once aliases are expanded, or a syntax error is refused with
 * its line.
 */
final class StackYaml {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** Far more than any stack; a few aliases of aliases could otherwise expand into billions of nodes. */
    private static final int MAX_NODES = 100_000;
    private static final Pattern INT = Pattern.compile("[-+]?[0-9]+");
    private static final Pattern OCTAL = Pattern.compile("0o[0-7]+");
    private static final Pattern HEX = Pattern.compile("0x[0-9a-fA-F]+");
    private static final Pattern FLOAT = Pattern.compile("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");
    private static final Set<String> TRUE = Set.of("true", "True", "TRUE");
    private static final Set<String> FALSE = Set.of("false", "False", "FALSE");

    private final String source;
    /** The line (from 1) each key's path and each list item's path starts on. */
    private final Map<String, Integer> lines = new HashMap<>();
    /** The paths whose value is tagged !reset or !override, which merging with another file heeds. */
    private final Map<String, String> tags = new HashMap<>();
    private final Set<Node> open = Collections.newSetFromMap(new IdentityHashMap<>());
    private int nodes;

    private StackYaml(String source) {
        this.source = source;
    }

    /**
     * A document's tree (null for an empty document), the line each path of it starts on, the paths tagged
     * {@code !reset} or {@code !override}, and, for a tree merged from several files, the file of each path that is
     * not the first file's.
     */
    record Tree(JsonNode root, Map<String, Integer> lines, Map<String, String> tags, Map<String, String> origins) {
        Tree(JsonNode root, Map<String, Integer> lines) {
            this(root, lines, Map.of(), Map.of());
        }
    }

    /** The document's tree, or null for an empty document. */
    static JsonNode read(String text, String source) {
        return parse(text, source).root();
    }

    /** The document's tree, with the line of each key and list item. */
    static Tree parse(String text, String source) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(true); // reported below with their path
        options.setMaxAliasesForCollections(200);
        Iterator<Node> documents;
        Node root;
        try {
            documents = new Yaml(options).composeAll(new StringReader(text)).iterator();
            root = documents.hasNext() ? documents.next() : null;
            while (documents.hasNext()) {
                Node next = documents.next();
                if (next == null || next instanceof ScalarNode scalar && scalar.getTag().equals(Tag.NULL)) {
                    continue; // an empty document after a trailing ---
                }
                throw new StackFileException(source + " holds more than one YAML document (a second begins on line "
                        + (next.getStartMark().getLine() + 1) + "); a stack file is one");
            }
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            throw new StackFileException(source + " is not valid YAML: " + oneLine(e.getProblem())
                    + (mark == null ? "" : " (line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1)
                    + ")"));
        } catch (YAMLException e) {
            throw new StackFileException(source + " is not valid YAML: " + oneLine(e.getMessage()));
        }
        if (root == null) {
            return new Tree(null, Map.of());
        }
        StackYaml yaml = new StackYaml(source);
        JsonNode tree = yaml.tree(root, "");
        return new Tree(tree, Collections.unmodifiableMap(yaml.lines), Collections.unmodifiableMap(yaml.tags),
                Map.of());
    }

    private static String oneLine(String text) {
        return text == null ? "syntax error" : text.replaceAll("\\s+", " ").trim();
    }

    private JsonNode tree(Node node, String path) {
        if (++nodes > MAX_NODES) {
            throw new StackFileException(source + ": more than " + MAX_NODES + " values once aliases are expanded"
                    + " (line " + (node.getStartMark().getLine() + 1) + ")");
        }
        String tag = node.getTag().getValue();
        if (tag.equals("!reset") || tag.equals("!override")) {
            tags.put(path, tag);
        }
        if (node instanceof ScalarNode scalar) {
            return scalar.getTag().equals(Tag.NULL) ? NODES.nullNode() : NODES.textNode(text(scalar));
        }
        if (!open.add(node)) {
            throw new StackFileException(source + ": " + where(path) + ": an alias that contains itself (line "
                    + (node.getStartMark().getLine() + 1) + ")");
        }
        try {
            return collection(node, path);
        } finally {
            open.remove(node);
        }
    }

    /** A scalar as Compose takes it: quoted as written; unquoted, a YAML 1.2 number or boolean as its value. */
    static String text(ScalarNode scalar) {
        String value = scalar.getValue();
        if (scalar.getScalarStyle() != DumperOptions.ScalarStyle.PLAIN || !scalar.getTag().equals(Tag.STR)
                && !scalar.getTag().equals(Tag.INT) && !scalar.getTag().equals(Tag.FLOAT)
                && !scalar.getTag().equals(Tag.BOOL)) {
            return value;
        }
        if (TRUE.contains(value)) {
            return "true";
        }
        if (FALSE.contains(value)) {
            return "false";
        }
        try {
            if (INT.matcher(value).matches()) {
                return new BigInteger(value).toString();
            }
            if (OCTAL.matcher(value).matches()) {
                return new BigInteger(value.substring(2), 8).toString();
            }
            if (HEX.matcher(value).matches()) {
                return new BigInteger(value.substring(2), 16).toString();
            }
            if (FLOAT.matcher(value).matches()) {
                return new BigDecimal(value).stripTrailingZeros().toPlainString();
            }
        } catch (NumberFormatException e) {
            return value;
        }
        return value;
    }

    private JsonNode collection(Node node, String path) {
        if (node instanceof SequenceNode sequence) {
            ArrayNode array = NODES.arrayNode();
            int i = 0;
            for (Node item : sequence.getValue()) {
                String itemPath = path + "[" + i++ + "]";
                lines.putIfAbsent(itemPath, item.getStartMark().getLine() + 1);
                array.add(tree(item, itemPath));
            }
            return array;
        }
        MappingNode mapping = (MappingNode) node;
        ObjectNode object = NODES.objectNode();
        List<MappingNode> merged = new ArrayList<>();
        boolean merges = false;
        for (NodeTuple tuple : mapping.getValue()) {
            if (!(tuple.getKeyNode() instanceof ScalarNode keyNode)) {
                throw new StackFileException(source + ": " + where(path) + ": a key must be a plain value (line "
                        + (tuple.getKeyNode().getStartMark().getLine() + 1) + ")");
            }
            if (keyNode.getTag().equals(Tag.MERGE)) {
                if (merges) { // as any key: one '<<' with a list merges several mappings
                    throw new StackFileException(source + ": " + (path.isEmpty() ? "<<" : path + ".<<")
                            + ": given twice (line " + (keyNode.getStartMark().getLine() + 1) + "); merge several"
                            + " mappings with one: <<: [*a, *b]");
                }
                merges = true;
                merged.addAll(mergedMappings(tuple.getValueNode(), path));
                continue;
            }
            String key = keyNode.getValue();
            String keyPath = path.isEmpty() ? key : path + "." + key;
            if (object.has(key)) {
                throw new StackFileException(source + ": " + keyPath + ": given twice (line "
                        + (keyNode.getStartMark().getLine() + 1) + ")");
            }
            lines.putIfAbsent(keyPath, keyNode.getStartMark().getLine() + 1);
            object.set(key, tree(tuple.getValueNode(), keyPath));
        }
        // keys of the mapping itself win over merged ones, and earlier merged mappings over later ones
        for (MappingNode m : merged) {
            ObjectNode from = (ObjectNode) tree(m, path);
            from.fields().forEachRemaining(e -> {
                if (!object.has(e.getKey())) {
                    object.set(e.getKey(), e.getValue());
                }
            });
        }
        return object;
    }

    private List<MappingNode> mergedMappings(Node value, String path) {
        Set<MappingNode> mappings = new LinkedHashSet<>();
        if (value instanceof MappingNode m) {
            mappings.add(m);
        } else if (value instanceof SequenceNode sequence
                && sequence.getValue().stream().allMatch(n -> n instanceof MappingNode)) {
            sequence.getValue().forEach(n -> mappings.add((MappingNode) n));
        } else {
            throw new StackFileException(source + ": " + where(path) + ".<<: expected a mapping or a list of "
                    + "mappings to merge (line " + (value.getStartMark().getLine() + 1) + ")");
        }
        return new ArrayList<>(mappings);
    }

    private static String where(String path) {
        return path.isEmpty() ? "the top level" : path;
    }
}
