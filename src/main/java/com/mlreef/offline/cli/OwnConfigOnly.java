package com.mlreef.offline.cli;

import io.quarkus.runtime.annotations.StaticInitSafe;
import io.smallrye.config.PropertiesConfigSourceLoader;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.SmallRyeConfigBuilderCustomizer;
import io.smallrye.config.SysPropConfigSource;

/**
 * The tool is configured only by what it was built with (its application.properties) and system properties. Quarkus
 * would also read the environment's QUARKUS_* variables, a {@code .env} file and {@code config/application.properties}
 * in the current folder: an operator who runs the tool in a Compose project's folder has a {@code .env} there, and a
 * {@code .env} the user cannot read, or a folder name the locale cannot encode, stopped every command before it began.
 */
@StaticInitSafe // the configuration Quarkus builds first, at start (in the native build: at build time), too
public final class OwnConfigOnly implements SmallRyeConfigBuilderCustomizer {
    private static final int APPLICATION_PROPERTIES_ORDINAL = 250;

    @Override
    public void configBuilder(SmallRyeConfigBuilder builder) {
        builder.setAddDefaultSources(false)
                .setAddSystemSources(false)
                .setAddPropertiesSources(false)
                .withSources(new SysPropConfigSource())
                .withSources(PropertiesConfigSourceLoader.inClassPath("application.properties",
                        APPLICATION_PROPERTIES_ORDINAL, builder.getClassLoader()));
    }

    @Override
    public int priority() {
        return Integer.MAX_VALUE; // after Quarkus' own customizers, which ask for the default sources
    }
}
