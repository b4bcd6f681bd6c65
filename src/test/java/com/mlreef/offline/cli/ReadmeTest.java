package com.mlreef.offline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The README stays a guide: short paragraphs and table cells, the quick start first, the reference's links alive. */
class ReadmeTest {
    private static final int MAX_WORDS = 80;
    private static final int MAX_CELL = 200;
    private static final Path README = Path.of("README.md");

    /** Paragraphs and list items as text, code blocks, tables and headings left out. */
    static List<String> paragraphs(List<String> lines) {
        List<String> paragraphs = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean code = false;
        for (String line : lines) {
            boolean fence = line.startsWith("```");
            if (fence) {
                code = !code;
            }
            boolean item = line.matches("\\s*([-*]|\\d+\\.) .*");
            boolean ends = fence || code || line.isBlank() || line.startsWith("|") || line.startsWith("#") || item;
            if (ends && current.length() > 0) {
                paragraphs.add(current.toString().strip());
                current.setLength(0);
            }
            if (!fence && !code && !line.isBlank() && !line.startsWith("|") && !line.startsWith("#")) {
                current.append(line.strip()).append(' ');
            }
        }
        if (current.length() > 0) {
            paragraphs.add(current.toString().strip());
        }
        return paragraphs;
    }

    /** The cells of the tables, outside code blocks. */
    static List<String> cells(List<String> lines) {
        List<String> cells = new ArrayList<>();
        boolean code = false;
        for (String line : lines) {
            code ^= line.startsWith("```");
            if (!code && line.startsWith("|")) {
                for (String cell : line.substring(1).split("(?<!\\\\)\\|")) {
                    cells.add(cell.strip());
                }
            }
        }
        return cells;
    }

    @Test
    void noParagraphOrTableCellIsTooLong() throws IOException {
        List<String> lines = Files.readAllLines(README);
        List<String> long_ = new ArrayList<>();
        for (String paragraph : paragraphs(lines)) {
            int words = paragraph.split("\\s+").length;
            if (words > MAX_WORDS) {
                long_.add(words + " words: " + paragraph);
            }
        }
        for (String cell : cells(lines)) {
            if (cell.length() > MAX_CELL) {
                long_.add(cell.length() + " characters in a table cell: " + cell);
            }
        }
        assertEquals(List.of(), long_, "README.md: keep paragraphs to " + MAX_WORDS + " words and table cells to "
                + MAX_CELL + " characters (details belong in docs/)");
    }

    @Test
    void theQuickStartComesFirstAndTheSetUpCommandsOpenTheDevelopmentPart() throws IOException {
        String text = Files.readString(README);
        List<String> headings = Files.readAllLines(README).stream().filter(l -> l.startsWith("## ")).toList();
        assertEquals("## Quick start", headings.get(0), headings.toString());
        assertEquals("## Development", headings.get(headings.size() - 1), headings.toString());
        String development = text.substring(text.indexOf("## Development"));
        assertTrue(development.contains("`scripts/demo.sh`") && development.contains("`scripts/test.sh`"), development);
    }

    @Test
    void everyLinkIntoTheCommandReferenceLeadsToAPage() throws IOException {
        Matcher link = Pattern.compile("\\]\\((docs/commands/[^)]*)\\)").matcher(Files.readString(README));
        int links = 0;
        while (link.find()) {
            links++;
            assertTrue(Files.exists(Path.of(link.group(1))), link.group(1) + " (run " + CommandReference.REGENERATE
                    + ")");
        }
        assertTrue(links > 10, "the commands link their reference pages");
    }

    @Test
    void theRulesCountWhatTheyShould() {
        List<String> lines = List.of("# T", "", "one two", "three", "", "- an item", "  goes on", "- another", "",
                "```", "code is not counted", "```", "| a | b \\| c |", "|---|---|");
        assertEquals(List.of("one two three", "- an item goes on", "- another"), paragraphs(lines));
        assertEquals(List.of("a", "b \\| c", "---", "---"), cells(lines));
    }
}
