package com.mlreef.offline.cli;

import org.eclipse.microprofile.config.ConfigProvider;
import picocli.CommandLine.IVersionProvider;

/** The version Maven built, as Quarkus records it. */
public class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String version = ConfigProvider.getConfig().getOptionalValue("quarkus.application.version", String.class)
                .orElse("unknown");
        return new String[] {"mlreef-offline " + version};
    }
}
