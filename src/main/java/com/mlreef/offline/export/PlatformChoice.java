package com.mlreef.offline.export;

import com.mlreef.offline.registry.Descriptor;
import com.mlreef.offline.registry.RegistryException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The platform taken from a manifest list or OCI index: {@code --platform os/arch[/variant]}, by default this host's
 * ({@code linux/} and the architecture Go names: amd64, arm64, ...). An index entry without a variant matches any
 * asked variant, as the engine matches.
 */
record PlatformChoice(String os, String architecture, String variant) {
    private static final Pattern FORM = Pattern.compile("[a-z0-9_]+/[a-z0-9_]+(/[a-z0-9_]+)?");

    /** Parses {@code --platform}; null or empty gives the host's. Refused (exit 2) when it is not os/arch[/variant]. */
    static PlatformChoice of(String platform) {
        if (platform == null || platform.isBlank()) {
            return host();
        }
        String text = platform.toLowerCase(Locale.ROOT);
        if (!FORM.matcher(text).matches()) {
            throw RegistryException.usage("--platform: '" + platform + "' is not os/arch or os/arch/variant (such as"
                    + " linux/amd64 or linux/arm64/v8)");
        }
        String[] parts = text.split("/");
        return new PlatformChoice(parts[0], parts[1], parts.length > 2 ? parts[2] : null);
    }

    /** This host's platform, as the engine would pull for it. */
    static PlatformChoice host() {
        String arch = System.getProperty("os.arch", "amd64").toLowerCase(Locale.ROOT);
        String goArch = switch (arch) {
            case "x86_64", "amd64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            case "x86", "i386", "i686" -> "386";
            case "ppc64le" -> "ppc64le";
            case "s390x" -> "s390x";
            case "riscv64" -> "riscv64";
            default -> arch.startsWith("arm") ? "arm" : arch;
        };
        return new PlatformChoice("linux", goArch, goArch.equals("arm") ? "v7" : null);
    }

    /** The index entry for this platform; refused, naming those the index has, when there is none. */
    Descriptor pick(String what, List<Descriptor> manifests) {
        for (Descriptor d : manifests) {
            Descriptor.Platform p = d.platform();
            if (p != null && os.equals(p.os()) && architecture.equals(p.architecture())
                    && (variant == null || p.variant() == null || variant.equals(p.variant()))) {
                return d;
            }
        }
        List<String> offered = manifests.stream().filter(d -> d.platform() != null)
                .map(d -> d.platform().toString()).filter(p -> !p.startsWith("unknown/")).distinct().toList();
        throw new RegistryException(what + " has no image for " + this + "; it has " + (offered.isEmpty()
                ? "no platform named" : String.join(", ", offered)) + " (choose one with --platform)");
    }

    @Override
    public String toString() {
        return os + "/" + architecture + (variant == null ? "" : "/" + variant);
    }
}
