package com.mlreef.offline.stackfile;

import com.fasterxml.jackson.databind.JsonNode;
import com.mlreef.offline.stackfile.StackSpec.ReadyRule;
import com.mlreef.offline.stackfile.StackSpec.Service;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The order run starts a stack's services in, from their {@code depends_on}: each after the services it depends on,
 * otherwise as written; a cycle is refused.
 */
final class StartOrder {
    private final NodeReader reader;
    /** "SERVICE DEPENDENCY" for each depends_on with required: false. */
    private final Set<String> optional = new HashSet<>();

    StartOrder(NodeReader reader) {
        this.reader = reader;
    }

    /** {@code depends_on}: a list of services, or a mapping of them to {@code condition:}; service to condition. */
    Map<String, String> dependsOn(String service, JsonNode node, String path) {
        Map<String, String> dependsOn = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return dependsOn;
        }
        if (node.isArray()) {
            reader.stringList(node, path).forEach(s -> dependsOn.put(s, StackSpec.STARTED));
            return dependsOn;
        }
        for (Map.Entry<String, JsonNode> e : reader.entries(node, path)) {
            String item = path + "." + e.getKey();
            String condition = StackSpec.STARTED;
            if (e.getValue() != null && !e.getValue().isNull()) {
                // restart (restart the service when its dependency is updated) has no effect: run replaces a
                // container when its own image or configuration changed
                reader.keys(e.getValue(), item, "condition", "required", "restart");
                if (e.getValue().has("condition")) {
                    condition = reader.string(e.getValue().get("condition"), item + ".condition");
                }
                reader.bool(e.getValue().get("restart"), item + ".restart");
                if (e.getValue().has("required") && !reader.bool(e.getValue().get("required"), item + ".required")) {
                    optional.add(service + " " + e.getKey());
                }
            }
            if (!List.of(StackSpec.STARTED, StackSpec.HEALTHY, StackSpec.COMPLETED).contains(condition)) {
                throw reader.error(item + ".condition", "'" + condition + "' is not one of " + StackSpec.STARTED + ", "
                        + StackSpec.HEALTHY + ", " + StackSpec.COMPLETED);
            }
            dependsOn.put(e.getKey(), condition);
        }
        return dependsOn;
    }

    /**
     * The services in the order run starts them. A service another waits for as healthy or completed gets that as its
     * ready rule when it has none of its own. Every dependency's problem is kept, each with its line.
     */
    Map<String, Service> of(Map<String, Service> services) {
        Map<String, Service> byName = new LinkedHashMap<>(services);
        Map<String, String> waitedAs = new LinkedHashMap<>(); // dependency: "CONDITION by SERVICE"
        for (Service service : services.values()) {
            for (Map.Entry<String, String> dep : new ArrayList<>(service.dependsOn().entrySet())) {
                reader.attempt(() -> waitFor(service, dep.getKey(), dep.getValue(), byName, waitedAs));
            }
            // a dependency refused above is kept as a problem, and left out of the order
            service.dependsOn().keySet().removeIf(d -> !byName.containsKey(d) || d.equals(service.name()));
        }
        Map<String, Service> ordered = new LinkedHashMap<>();
        List<String> visiting = new ArrayList<>();
        for (String name : byName.keySet()) {
            visit(name, byName, ordered, visiting);
        }
        return ordered;
    }

    /** How {@code service} waits for its dependency {@code name}: the dependency's ready rule, in {@code byName}. */
    private void waitFor(Service service, String name, String condition, Map<String, Service> byName,
                         Map<String, String> waitedAs) {
        String path = "services." + service.name() + ".depends_on";
        Service dependency = byName.get(name);
        if (dependency == null && optional.contains(service.name() + " " + name)) {
            service.dependsOn().remove(name); // required: false, as in Compose
            return;
        }
        if (dependency == null || name.equals(service.name())) {
            throw reader.error(path, dependency == null ? "'" + name + "' is not a service of this stack"
                    : "a service cannot depend on itself");
        }
        if (condition.equals(StackSpec.STARTED)) {
            return;
        }
        String earlier = waitedAs.putIfAbsent(name, condition + " by " + service.name());
        if (earlier != null && !earlier.startsWith(condition + " ")) {
            throw reader.error(path + "." + name, name + " is waited for as " + condition + " here and as " + earlier
                    + ": one service cannot be both");
        }
        ReadyRule rule = dependency.ready();
        // its own rule decides; one that gives only a timeout sets the time for the condition's wait
        Duration timeout = rule == null ? ReadyRule.DEPENDENCY_TIMEOUT : rule.timeout();
        if (rule != null && !rule.byDependency() && !rule.running() && !rule.exited()) {
            if (condition.equals(StackSpec.COMPLETED)) {
                throw reader.error(path + "." + name, name + "'s x-offline.ready rule decides when it is ready; "
                        + StackSpec.COMPLETED + " needs a service with none (or only a timeout)");
            }
            // run waits for that rule; start and restart, which cannot read it, start the dependency first
            // and do not hold its health against it, as run did not
            service.dependsOn().put(name, StackSpec.STARTED);
            return;
        }
        byName.put(name, condition.equals(StackSpec.HEALTHY) ? healthy(path + "." + name, dependency, timeout)
                : completed(path + "." + name, dependency, timeout));
    }

    private Service healthy(String path, Service dependency, Duration timeout) {
        if (dependency.healthcheck() != null && dependency.healthcheck().test().equals(List.of("NONE"))) {
            throw reader.error(path, dependency.name() + " disables its healthcheck, so it never becomes healthy");
        }
        return dependency.withReady(new ReadyRule(null, true, null, false, true, timeout));
    }

    private Service completed(String path, Service dependency, Duration timeout) {
        if (!dependency.restart().equals("no") && !dependency.restart().startsWith("on-failure")) {
            throw reader.error(path, dependency.name() + " has restart: " + dependency.restart() + ", so it never"
                    + " completes");
        }
        if (!dependency.afterReady().isEmpty()) {
            throw reader.error(path, dependency.name() + "'s after-ready commands run in its container, which "
                    + StackSpec.COMPLETED + " waits to see exit");
        }
        return dependency.withReady(new ReadyRule(null, false, null, true, true, timeout));
    }

    private void visit(String name, Map<String, Service> services, Map<String, Service> ordered, List<String> visiting) {
        if (ordered.containsKey(name)) {
            return;
        }
        if (visiting.contains(name)) {
            List<String> cycle = new ArrayList<>(visiting.subList(visiting.indexOf(name), visiting.size()));
            cycle.add(name);
            throw reader.error("services." + name + ".depends_on", "a cycle: " + String.join(" -> ", cycle));
        }
        visiting.add(name);
        for (String dependency : services.get(name).dependsOn().keySet()) {
            visit(dependency, services, ordered, visiting);
        }
        visiting.remove(visiting.size() - 1);
        ordered.put(name, services.get(name));
    }
}
