package com.mlreef.offline.stack;

/** What marks the engine objects of a stack, whichever stack file it was read from. */
public final class DefaultStack {
    /** Label put on everything the tool creates; its value is the stack's name. */
    public static final String STACK_LABEL = "com.mlreef.offline.stack";

    private DefaultStack() {
    }
}
