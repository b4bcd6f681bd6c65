package com.mlreef.offline.cli;

import com.mlreef.offline.stackfile.StackFile;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** {@code --profile NAME}: the services of that Compose profile run too, as with docker compose. */
public final class ProfileOption {
    @Option(names = "--profile", paramLabel = "NAME", description = {"Take the services of this profile too (a service"
            + " with profiles: runs only when one of them is given); repeat for several. Adds to COMPOSE_PROFILES"
            + " (comma-separated), which is read as docker compose reads it."})
    List<String> profiles = new ArrayList<>();

    /** The variables the stack file is read with: {@code environment}, with the profiles given added. */
    public Map<String, String> variables(Map<String, String> environment) {
        if (profiles.isEmpty()) {
            return environment;
        }
        Map<String, String> variables = new HashMap<>(environment);
        List<String> all = new ArrayList<>();
        String set = environment.get(StackFile.PROFILES_VARIABLE);
        if (set != null && !set.isBlank()) {
            all.add(set);
        }
        all.addAll(profiles);
        variables.put(StackFile.PROFILES_VARIABLE, String.join(",", all));
        return variables;
    }
}
