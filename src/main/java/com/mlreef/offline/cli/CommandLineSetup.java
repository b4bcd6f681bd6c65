package com.mlreef.offline.cli;

import io.quarkus.picocli.runtime.PicocliCommandLineFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import picocli.CommandLine;

/** The one place where the command line is configured: error handling for every command. */
@ApplicationScoped
public class CommandLineSetup {

    @Produces
    CommandLine commandLine(PicocliCommandLineFactory factory) {
        ErrorHandler handler = new ErrorHandler();
        return factory.create()
                .setExecutionExceptionHandler(handler)
                .setParameterExceptionHandler(handler)
                .setCaseInsensitiveEnumValuesAllowed(true);
    }
}
