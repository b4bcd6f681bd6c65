package com.mlreef.offline.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.mlreef.offline.registry.Descriptor;
import com.mlreef.offline.registry.RegistryException;
import com.mlreef.offline.ui.ExitCode;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlatformChoiceTest {
    private static Descriptor entry(String digest, String os, String arch, String variant) {
        return new Descriptor("application/vnd.oci.image.manifest.v1+json", digest, 1,
                new Descriptor.Platform(arch, os, variant));
    }

    private static final List<Descriptor> INDEX = List.of(entry("a", "linux", "amd64", null),
            entry("b", "linux", "arm", "v6"), entry("c", "linux", "arm", "v7"), entry("d", "linux", "arm64", "v8"),
            entry("u", "unknown", "unknown", null));

    @Test
    void theAskedPlatformIsTaken() {
        assertEquals("a", PlatformChoice.of("linux/amd64").pick("x", INDEX).digest());
        assertEquals("c", PlatformChoice.of("linux/arm/v7").pick("x", INDEX).digest());
        assertEquals("d", PlatformChoice.of("linux/arm64").pick("x", INDEX).digest(), "any variant of arm64");
        assertEquals("d", PlatformChoice.of("LINUX/ARM64/v8").pick("x", INDEX).digest());
    }

    @Test
    void theHostsPlatformByDefault() {
        String arch = System.getProperty("os.arch");
        PlatformChoice host = PlatformChoice.of(null);
        assertEquals("linux", host.os());
        assertEquals(arch.equals("amd64") || arch.equals("x86_64") ? "amd64" : arch.equals("aarch64") ? "arm64"
                : host.architecture(), host.architecture());
    }

    @Test
    void aPlatformTheIndexLacksIsRefusedNamingThoseItHas() {
        RegistryException e = assertThrows(RegistryException.class,
                () -> PlatformChoice.of("linux/s390x").pick("img:1", INDEX));
        assertEquals("img:1 has no image for linux/s390x; it has linux/amd64, linux/arm/v6, linux/arm/v7,"
                + " linux/arm64/v8 (choose one with --platform)", e.getMessage());
        RegistryException usage = assertThrows(RegistryException.class, () -> PlatformChoice.of("amd64"));
        assertEquals(ExitCode.USAGE, usage.exitCode());
    }
}
