package com.mlreef.offline.stackfile;

import com.mlreef.offline.ui.ExitCode;
import com.mlreef.offline.ui.ToolException;

/** The stack file is not one the tool can use; the message names the file and the key's path (and its line). */
public class StackFileException extends ToolException {
    private final int line;

    public StackFileException(String message) {
        this(message, 0);
    }

    /** @param line the line of the file the problem is on, from 1; 0 when not known */
    public StackFileException(String message, int line) {
        super(ExitCode.USAGE, message);
        this.line = line;
    }

    /** The line of the file the problem is on, from 1; 0 when not known. */
    public int line() {
        return line;
    }
}
