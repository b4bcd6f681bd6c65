package com.mlreef.offline.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
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
 * A stack file's YAML as a tree of mappings, lists, text and nulls, read as Compose reads it: every scalar stays the
 * text it was written as ({@code no}, {@code yes}, {@code 010} and {@code 1.10} are not turned into booleans and
 * numbers), {@code <<} merges the mappings it names (anchors and aliases), and a key given twice, a second document,
 * or a syntax error is refused with its line.
 */
final class StackYaml {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private StackYaml() {
    }

    /** The document's tree, or null for an empty document. */
    static JsonNode read(String text, String source) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(true); // reported below with their path
        options.setMaxAliasesForCollections(200);
        Iterator<Node> documents;
        Node root;
        try {
            documents = new Yaml(options).composeAll(new StringReader(text)).iterator();
            root = documents.hasNext() ? documents.next() : null;
            if (documents.hasNext()) {
                Node second = documents.next();
                throw new StackFileException(source + " holds more than one YAML document (a second begins on line "
                        + (second.getStartMark().getLine() + 1) + "); a stack file is one");
            }
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            throw new StackFileException(source + " is not valid YAML: " + oneLine(e.getProblem())
                    + (mark == null ? "" : " (line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1)
                    + ")"));
        } catch (YAMLException e) {
            throw new StackFileException(source + " is not valid YAML: " + oneLine(e.getMessage()));
        }
        return root == null ? null : tree(root, "", source);
    }

    private static String oneLine(String text) {
        return text == null ? "syntax error" : text.replaceAll("\\s+", " ").trim();
    }

    private static JsonNode tree(Node node, String path, String source) {
        if (node instanceof ScalarNode scalar) {
            return scalar.getTag().equals(Tag.NULL) ? NODES.nullNode() : NODES.textNode(scalar.getValue());
        }
        if (node instanceof SequenceNode sequence) {
            ArrayNode array = NODES.arrayNode();
            int i = 0;
            for (Node item : sequence.getValue()) {
                array.add(tree(item, path + "[" + i++ + "]", source));
            }
            return array;
        }
        MappingNode mapping = (MappingNode) node;
        ObjectNode object = NODES.objectNode();
        List<MappingNode> merged = new ArrayList<>();
        for (NodeTuple tuple : mapping.getValue()) {
            if (!(tuple.getKeyNode() instanceof ScalarNode keyNode)) {
                throw new StackFileException(source + ": " + where(path) + ": a key must be a plain value (line "
                        + (tuple.getKeyNode().getStartMark().getLine() + 1) + ")");
            }
            if (keyNode.getTag().equals(Tag.MERGE)) {
                merged.addAll(mergedMappings(tuple.getValueNode(), path, source));
                continue;
            }
            String key = keyNode.getValue();
            String keyPath = path.isEmpty() ? key : path + "." + key;
            if (object.has(key)) {
                throw new StackFileException(source + ": " + keyPath + ": given twice (line "
                        + (keyNode.getStartMark().getLine() + 1) + ")");
            }
            object.set(key, tree(tuple.getValueNode(), keyPath, source));
        }
        // keys of the mapping itself win over merged ones, and earlier merged mappings over later ones
        for (MappingNode m : merged) {
            ObjectNode from = (ObjectNode) tree(m, path, source);
            from.fields().forEachRemaining(e -> {
                if (!object.has(e.getKey())) {
                    object.set(e.getKey(), e.getValue());
                }
            });
        }
        return object;
    }

    private static List<MappingNode> mergedMappings(Node value, String path, String source) {
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
