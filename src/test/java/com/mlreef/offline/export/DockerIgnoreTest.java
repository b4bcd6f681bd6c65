package com.mlreef.offline.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mlreef.offline.bundle.BundleException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** .dockerignore patterns matched as Docker's pattern matcher matches them. */
class DockerIgnoreTest {

    private static DockerIgnore ignore(String text) {
        return DockerIgnore.parse(text, ".dockerignore");
    }

    private static void excluded(DockerIgnore ignore, String... paths) {
        for (String path : paths) {
            assertTrue(ignore.excludes(path), path + " should be left out");
        }
    }

    private static void kept(DockerIgnore ignore, String... paths) {
        for (String path : paths) {
            assertFalse(ignore.excludes(path), path + " should be sent");
        }
    }

    @Test
    void aNameMatchesItselfAndEverythingInsideIt() {
        DockerIgnore i = ignore("secret.txt\nbuild\n");
        excluded(i, "secret.txt", "build", "build/out.o", "build/deep/er/file");
        kept(i, "secret.txt.bak", "src/secret.txt", "builder", "src/build");
    }

    @Test
    void patternsAreCleanedLikePaths() {
        DockerIgnore i = ignore("/tmp/\n./logs//today/\nsrc/../dist\n  spaced.txt  \n");
        excluded(i, "tmp", "tmp/x", "logs/today", "logs/today/a.log", "dist", "dist/app.js", "spaced.txt");
        kept(i, "logs", "logs/yesterday", "src/dist", "src", "a/tmp");
        assertEquals("a/b", DockerIgnore.clean("./a//b/"));
        assertEquals("../x", DockerIgnore.clean("../x"));
        assertEquals("/x", DockerIgnore.clean("/../x"));
        assertEquals(".", DockerIgnore.clean("a/.."));
        assertEquals("b", DockerIgnore.clean("a/../b/./"));
    }

    @Test
    void aStarAndAQuestionMarkStayWithinOneName() {
        DockerIgnore i = ignore("*.log\ndocs/*.md\nv?\n");
        excluded(i, "app.log", ".log", "docs/README.md", "v1", "v2/file", "docs/x.md/inner");
        kept(i, "logs/app.log", "docs/sub/README.md", "v10", "app.log.1", "docs/README.mdx");
    }

    @Test
    void aClassMatchesOneCharacterOfIt() {
        DockerIgnore i = ignore("file[0-9].txt\nmode[^a-c]\n[ab]*\n");
        excluded(i, "file1.txt", "file9.txt", "moded", "alpha", "beta/x");
        kept(i, "filex.txt", "file10.txt", "modea", "gamma");
    }

    @Test
    void aDoubleStarMatchesAnyNumberOfFolders() {
        DockerIgnore i = ignore("**/*.pyc\nnode/**/cache\ndist/**\n");
        excluded(i, "a.pyc", "x/a.pyc", "x/y/z/a.pyc", "node/cache", "node/a/b/cache", "node/a/cache/file",
                "dist/a", "dist/a/b");
        kept(i, "a.py", "x/a.pyc.txt", "node", "node/a/b/cached", "other/node/cache", "distant");
        excluded(ignore("**\n"), "anything", "a/b/c");
        excluded(ignore("**/temp\n"), "temp", "a/temp", "a/b/temp/file");
        kept(ignore("**/temp\n"), "atemp", "a/btemp");
    }

    @Test
    void anExceptionKeepsWhatAnEarlierPatternLeftOut() {
        DockerIgnore i = ignore("*.md\n!README.md\n");
        excluded(i, "CHANGES.md");
        kept(i, "README.md", "main.go");
    }

    @Test
    void theLastMatchingPatternDecides() {
        DockerIgnore i = ignore("*.md\n!README*.md\nREADME-secret.md\n");
        excluded(i, "CHANGES.md", "README-secret.md");
        kept(i, "README.md", "README-public.md");
        DockerIgnore again = ignore("!keep.txt\n*.txt\n");
        excluded(again, "keep.txt", "other.txt");
    }

    @Test
    void anExceptionInsideALeftOutFolder() {
        DockerIgnore i = ignore("docs\n!docs/keep.md\n");
        excluded(i, "docs", "docs/other.md", "docs/sub/x");
        kept(i, "docs/keep.md");
        assertTrue(i.mayKeepInside("docs"));
        assertFalse(i.mayKeepInside("src"));
        assertFalse(ignore("docs\n").mayKeepInside("docs"));
    }

    @Test
    void aLeftOutFolderLeavesOutItsFilesEvenWhenTheirNamesDoNotMatch() {
        DockerIgnore i = ignore("vendor/\n!*.go\n");
        excluded(i, "vendor", "vendor/lib.c", "vendor/lib.go");
        kept(i, "main.go");
        kept(ignore("vendor/\n!vendor/*.go\n"), "vendor/lib.go");
    }

    @Test
    void commentsAndBlankLinesAreNoPatterns() {
        DockerIgnore i = ignore("# a comment\n\n   \n#secret\nlocal\r\n");
        kept(i, "# a comment", "#secret", "a comment");
        excluded(i, "local");
        excluded(ignore(" #hash\n"), "#hash");
    }

    @Test
    void escapedCharactersAreLiteral() {
        DockerIgnore i = ignore("a\\*b\nplain.txt\n");
        excluded(i, "a*b", "plain.txt");
        kept(i, "axb", "plainxtxt");
    }

    @Test
    void theDockerfileAndTheIgnoreFileAreAlwaysSent() {
        DockerIgnore i = ignore("*\n").keeping(List.of(".dockerignore", "docker/Dockerfile"));
        excluded(i, "src", "docker/other");
        kept(i, ".dockerignore", "docker/Dockerfile");
        assertTrue(i.mayKeepInside("docker"));
        assertFalse(DockerIgnore.NONE.keeping(List.of("Dockerfile")).excludes("x"));
    }

    @Test
    void badPatternsAreRefusedByName() {
        assertTrue(assertThrows(BundleException.class, () -> ignore("!\n")).getMessage()
                .contains("'!' alone is not a pattern"));
        assertTrue(assertThrows(BundleException.class, () -> ignore("[a-\n")).getMessage()
                .contains("'[a-' is not a valid pattern"));
    }
}
