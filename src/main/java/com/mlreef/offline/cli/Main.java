package com.mlreef.offline.cli;

import io.quarkus.picocli.runtime.PicocliRunner;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * The entry point: the commands, run by Quarkus' picocli runner, after one check that must come before Quarkus starts.
 */
@QuarkusMain
public final class Main {
    private Main() {
    }

    public static void main(String... args) {
        String unreadable = unreadableFolder(System.getProperty("user.dir", ""),
                System.getProperty("sun.jnu.encoding"));
        if (unreadable != null) {
            // else Quarkus stops at its start with a stack trace, and no file under the folder could be named
            System.err.println("error: " + unreadable);
            System.exit(1);
        }
        Quarkus.run(PicocliRunner.class, args);
    }

    /**
     * Why the current folder cannot be used, or null: its name holds characters that the locale's file name encoding
     * (LANG=C: ASCII) cannot write, so neither it nor a file under it can be named.
     */
    static String unreadableFolder(String folder, String encoding) {
        Charset charset;
        try {
            charset = encoding == null ? StandardCharsets.UTF_8 : Charset.forName(encoding);
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (folder.indexOf('\uFFFD') < 0 && charset.newEncoder().canEncode(folder)) {
            return null;
        }
        return "the current folder's name (" + folder.replace('\uFFFD', '?') + ") has characters that the locale's"
                + " file names (" + charset.name() + ") cannot hold: " + (charset.equals(StandardCharsets.UTF_8)
                ? "run from another folder" : "set a UTF-8 locale (export LANG=C.UTF-8), or run from another folder");
    }
}
