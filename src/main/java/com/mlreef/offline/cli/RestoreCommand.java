package com.mlreef.offline.cli;

import com.mlreef.offline.backup.VolumeBackup;
import com.mlreef.offline.ui.Console;
import com.mlreef.offline.ui.ExitCode;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "restore", mixinStandardHelpOptions = true, description = "Put the volumes of a backup file"
        + " into this engine: each is created, or must be empty. Then 'run' starts the stack with them.", footer = {
            "", "The file is read through before anything changes, and checked against FILE.sha256, which backup"
            + " writes beside it: a damaged file changes nothing.",
            "Restore never writes into a volume that holds data, so it cannot mix a backup into data or"
            + " replace any. To replace a stack's data with a backup, delete its volumes first: 'mlreef-offline"
            + " down --volumes' asks, then deletes them. A restore that was interrupted finishes when run again.",
            "", "Examples:", "  mlreef-offline restore mlreef-volumes-20261129-101500.tar.zst",
            "  mlreef-offline down --volumes   # to go back to the backup: asks, then deletes",
            "  mlreef-offline restore FILE && mlreef-offline run -d DIR", "",
            MlreefOffline.EXIT_CODES})
public final class RestoreCommand extends BaseCommand {
    @Mixin
    EngineOptions engine;

    @Parameters(paramLabel = "FILE", description = "A file written by 'mlreef-offline backup'.")
    Path file;

    @Override
    protected int execute(Console console) {
        VolumeBackup.Manifest manifest = VolumeBackup.manifest(file); // a file that is no backup: before the lock
        VolumeBackup restore = new VolumeBackup(engine.engine(), console);
        VolumeBackup.Summary summary = HostLock.hold(console, engine, () -> "interrupted: the"
                + " volumes may be partly restored; run the same restore again to finish", () -> {
                    console.info("restoring " + manifest.volumes().size() + " volume"
                            + (manifest.volumes().size() == 1 ? "" : "s") + (manifest.stack().isEmpty() ? ""
                            : " of stack " + manifest.stack()) + " (" + String.join(", ", manifest.names())
                            + "), backed up " + manifest.created());
                    return restore.restore(file);
                });
        console.info("restored " + summary.volumes() + " volume" + (summary.volumes() == 1 ? "" : "s") + " ("
                + summary.entries() + " files and folders) from " + file + " (sha256 " + summary.sha256() + ");"
                + " 'mlreef-offline run -d DIR' starts the stack with them");
        return ExitCode.OK;
    }
}
