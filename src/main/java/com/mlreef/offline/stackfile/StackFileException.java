package com.mlreef.offline.stackfile;

import com.mlreef.offline.ui.ExitCode;
import com.mlreef.offline.ui.ToolException;

/** The stack file is not one the tool can use; the message names the file and the key's path. */
public class StackFileException extends ToolException {
    public StackFileException(String message) {
        super(ExitCode.USAGE, message);
    }
}
