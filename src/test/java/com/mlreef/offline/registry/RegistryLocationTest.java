package com.mlreef.offline.registry;

import com.mlreef.offline.ui.ExitCode;
import com.mlreef.offline.ui.ToolException;
import java.util.List;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RegistryLocationTest {
    @Test
    void imagesKeepTheirPathAndTagUnderThePrefix() {
        RegistryLocation at = RegistryLocation.parse("--registry", "registry.local:5000/mlreef/");
        assertEquals("registry.local:5000", at.host());
        assertEquals("mlreef", at.prefix());
        assertEquals("registry.local:5000/mlreef/mlreef/mlreef:latest",
                at.reference("registry.gitlab.com/mlreef/mlreef:latest"));
        assertEquals("registry.local:5000/mlreef/library/postgres:11", at.reference("postgres:11"));
        assertEquals("registry.local:5000/mlreef/library/redis:latest", at.reference("redis"));
        assertEquals("registry.local:5000/mlreef/x/y:2", at.reference("localhost:5000/x/y:2"));
        assertEquals("sha256-" + "a".repeat(64), RegistryLocation.tag("alpine@sha256:" + "a".repeat(64)));
        RegistryLocation bare = RegistryLocation.parse("--registry", "[::1]:5000");
        assertEquals("[::1]:5000/library/alpine:3", bare.reference("alpine:3"));
    }

    @Test
    void aValueThatIsNotHostPortPrefixIsBadUsage() {
        for (String bad : List.of("", "https://r.local", "r.local:0", "r.local:70000", "r.local:x", "r_local",
                "r.local/Mixed", "r.local/a//b", "-r.local")) {
            ToolException e = assertThrows(ToolException.class, () -> RegistryLocation.parse("--registry", bad), bad);
            assertEquals(ExitCode.USAGE, e.exitCode(), bad);
            assertTrue(e.getMessage().startsWith("--registry: '" + bad + "': "), e.getMessage());
        }
    }
}
