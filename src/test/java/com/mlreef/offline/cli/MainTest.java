package com.mlreef.offline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** The one check before Quarkus starts: a current folder the locale cannot name. */
class MainTest {
    @Test
    void aFolderNameTheLocaleCannotHoldIsNamedWithWhatToDo() {
        assertNull(Main.unreadableFolder("/home/j\u00fcrgen", "UTF-8"));
        assertNull(Main.unreadableFolder("/srv/mlreef", "ANSI_X3.4-1968"));
        assertNull(Main.unreadableFolder("/srv/mlreef", null));
        assertEquals("the current folder's name (/home/j??rgen) has characters that the locale's file names"
                + " (US-ASCII) cannot hold: set a UTF-8 locale (export LANG=C.UTF-8), or run from another folder",
                Main.unreadableFolder("/home/j\uFFFD\uFFFDrgen", "ANSI_X3.4-1968"));
        assertEquals("the current folder's name (/home/j\u00fcrgen) has characters that the locale's file names"
                + " (US-ASCII) cannot hold: set a UTF-8 locale (export LANG=C.UTF-8), or run from another folder",
                Main.unreadableFolder("/home/j\u00fcrgen", "ANSI_X3.4-1968"));
    }
}
