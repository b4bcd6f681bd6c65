package com.mlreef.offline.stack;

import java.util.List;

/** Facts of the default MLReef Nautilus stack that checks need before a stack file is read. */
public final class DefaultStack {
    /** The network the original installer created and the containers join. */
    public static final String NETWORK = "mlreef-docker-network";
    /** The main container's name. */
    public static final String CONTAINER = "mlreef";
    /** Host ports the mlreef container publishes: ssh, nginx, backend, registry, GitLab, Postgres. */
    public static final List<Integer> PORTS = List.of(2022, 80, 8081, 5050, 10080, 6000);
    /** Label put on everything the tool creates; its value is the stack's name. */
    public static final String STACK_LABEL = "com.mlreef.offline.stack";

    private DefaultStack() {
    }
}
