package com.mlreef.offline.lifecycle;

import com.mlreef.offline.docker.DockerEngine;
import com.mlreef.offline.docker.LogOptions;
import com.mlreef.offline.docker.OutputSink;
import com.mlreef.offline.docker.model.ContainerSummary;
import com.mlreef.offline.stackfile.StackLabels;
import com.mlreef.offline.ui.ExitCode;
import com.mlreef.offline.ui.ToolException;
import java.util.ArrayList;
import java.util.List;

/** The logs of a stack's containers: one container's as they are, several one after another or, followed, at once. */
final class StackLogs {
    private final DockerEngine engine;

    StackLogs(DockerEngine engine) {
        this.engine = engine;
    }

    void logs(String stack, String service, LogOptions options, OutputSink sink) {
        List<ContainerSummary> chosen = chosen(stack, service);
        if (chosen.size() == 1) {
            engine.logs(chosen.get(0).id(), options, sink);
            return;
        }
        // several: each line starts with its service, as in Compose, so that a saved log tells them apart
        List<String> services = chosen.stream().map(c -> c.labels().get(StackLabels.SERVICE_LABEL)).toList();
        boolean oneEach = services.stream().distinct().count() == services.size();
        List<String> prefixes = chosen.stream().map(c -> oneEach ? c.labels().get(StackLabels.SERVICE_LABEL)
                : c.name()).toList();
        int width = prefixes.stream().mapToInt(String::length).max().orElse(0);
        Object lock = new Object();
        List<Runnable> each = new ArrayList<>();
        for (int i = 0; i < chosen.size(); i++) {
            String id = chosen.get(i).id();
            String label = prefixes.get(i);
            each.add(() -> {
                StackControl.Lines lines = new StackControl.Lines(label + " ".repeat(width - label.length()) + " | ",
                        sink, lock);
                try {
                    engine.logs(id, options, lines);
                } finally {
                    lines.finish();
                }
            });
        }
        if (!options.follow()) {
            each.forEach(Runnable::run); // one service after another
            return;
        }
        follow(each, services);
    }

    /** The containers of the service, or of every service; none is an error saying which there are. */
    private List<ContainerSummary> chosen(String stack, String service) {
        List<ContainerSummary> all = StackControl.containers(engine, stack);
        List<ContainerSummary> chosen = service == null ? all : all.stream()
                .filter(c -> service.equals(c.labels().get(StackLabels.SERVICE_LABEL))).toList();
        if (chosen.isEmpty()) {
            throw new ToolException(ExitCode.FAILED, service == null || all.isEmpty() ? "stack " + stack + " has no"
                    + " containers (after down, or removed by hand; 'run' creates them)"
                    : "stack " + stack + " has no container of service " + service + " (it has containers of: "
                    + String.join(", ", all.stream().map(c -> c.labels().get(StackLabels.SERVICE_LABEL)).distinct()
                    .toList()) + "; if the stack has such a service, 'run' creates its container)");
        }
        return chosen;
    }

    /** Followed: all at once, line by line as they come, until each container's log ends (or Ctrl-C). */
    private static void follow(List<Runnable> each, List<String> services) {
        List<Thread> threads = new ArrayList<>();
        RuntimeException[] failed = new RuntimeException[1];
        for (int i = 0; i < each.size(); i++) {
            Runnable follow = each.get(i);
            Thread t = new Thread(() -> {
                try {
                    follow.run();
                } catch (RuntimeException e) {
                    synchronized (failed) {
                        failed[0] = failed[0] == null ? e : failed[0];
                    }
                }
            }, "logs-" + services.get(i));
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
        try {
            // until every log ends, or one fails (the output closed: the others stop with the process)
            for (Thread t : threads) {
                while (t.isAlive() && failedOf(failed) == null) {
                    t.join(200);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ToolException(ExitCode.INTERRUPTED, "interrupted");
        }
        if (failedOf(failed) != null) {
            throw failedOf(failed);
        }
    }

    private static RuntimeException failedOf(RuntimeException[] failed) {
        synchronized (failed) {
            return failed[0];
        }
    }
}
