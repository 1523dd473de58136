package dev.runbook.executors.s3;

import dev.runbook.spi.Action;
import dev.runbook.spi.Executor;

import java.util.List;
import dev.runbook.spi.Params;
import dev.runbook.spi.StepContext;
import dev.runbook.storage.Touched;

/**
 * {@code s3}: backups in S3 buckets (AWS or S3-compatible) or local directories, one
 * location convention throughout: a single URI, {@code s3://bucket/key} or
 * {@code file:///dir/name}.
 */
public final class S3Executor implements Executor {

    @Override
    public String name() {
        return "s3";
    }

    @Override
    public String summary() {
        return "upload, find, verify, download and archive backups in S3 (or a local directory)";
    }

    @Override
    public List<Action> actions() {
        return List.of(new UploadAction(), new DownloadAction(), new ListAction(), new LatestAction(),
                new VerifyAction(), new ApplyLifecycleAction(), new RestoreArchivedAction(), new CatalogAction(),
                new PruneAction(), new RecordDrillAction());
    }

    @Override
    public List<String> touches(Action action, Params params, StepContext context) {
        return Touched.locations(params, context.runbookDir(), "prefix", "from", "to", "object");
    }
}
