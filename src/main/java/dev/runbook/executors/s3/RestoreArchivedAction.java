package dev.runbook.executors.s3;

import dev.runbook.spi.BadParameterException;

import dev.runbook.spi.Action;
import dev.runbook.spi.Durations;
import dev.runbook.spi.OutputSpec;
import dev.runbook.spi.Outputs;
import dev.runbook.spi.ParamSpec;
import dev.runbook.spi.ParamType;
import dev.runbook.spi.Params;
import dev.runbook.spi.StepContext;
import dev.runbook.spi.StepFailure;
import dev.runbook.storage.ObjectStore;
import dev.runbook.storage.s3.ArchiveState;
import dev.runbook.storage.s3.S3Store;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Makes an archived object (GLACIER, DEEP_ARCHIVE) readable: requests a restore unless one is
 * already running, then polls HEAD ({@code x-amz-restore: ongoing-request}) until the restored
 * copy is there or the {@code within} window (or the step's timeout) ends. A no-op with a note
 * for objects that are not archived.
 */
final class RestoreArchivedAction implements Action {

    @Override
    public String name() {
        return "restore-archived";
    }

    @Override
    public String summary() {
        return "restore an object from GLACIER/DEEP_ARCHIVE and wait until it can be downloaded";
    }

    @Override
    public List<ParamSpec> params() {
        return StoreParams.with(List.of(
                ParamSpec.required("object", ParamType.STRING, "archived object: s3://bucket/key"),
                ParamSpec.optional("tier", ParamType.STRING, "Standard",
                        "retrieval tier: Expedited (minutes, GLACIER only), Standard (hours), Bulk (cheapest, slowest)")
                        .oneOf("Standard", "Bulk", "Expedited"),
                ParamSpec.optional("days", ParamType.INT, 7L, "days the restored copy stays readable"),
                ParamSpec.optional("wait", ParamType.BOOL, true, "wait until the restored copy is readable"),
                ParamSpec.optional("within", ParamType.DURATION, "12h", "how long to wait for the restore"),
                ParamSpec.optional("poll-interval", ParamType.DURATION, "1m", "how often to check the restore")));
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(
                OutputSpec.of("restored", ParamType.BOOL, "whether the object can be read now"),
                OutputSpec.of("requested", ParamType.BOOL, "whether this step issued a restore request"),
                OutputSpec.of("storage-class", ParamType.STRING, "the object's storage class"),
                OutputSpec.of("restored-until", ParamType.STRING, "when the restored copy expires (ISO), or empty"));
    }

    @Override
    public String describe(Params params) {
        return "if " + params.display("object") + " is archived, request a " + params.display("tier", "Standard")
                + " restore for " + params.display("days", "7") + " days"
                + (params.has("wait") && !params.isDeferred("wait") && !params.bool("wait", true) ? ""
                : " and wait up to " + params.display("within", "12h") + " until it is readable")
                + StoreParams.endpointNote(params);
    }

    @Override
    public Outputs execute(Params params, StepContext context) throws Exception {
        Location object = Location.param(params, "object");
        try (ObjectStore opened = StoreParams.open(object, params, context)) {
            if (!(opened instanceof S3Store store)) {
                if (opened.stat(object.key()).isEmpty()) {
                    throw new StepFailure("no object at " + object.uri(), false, null);
                }
                context.log().info(object.uri() + " is a local file: there is no archive tier, nothing to restore");
                return outputs(true, false, "", null);
            }
            return restore(store, object, params, context);
        } catch (IOException e) {
            throw Failures.of(e, object.uri());
        } catch (BadParameterException e) {
            throw Failures.badParam(e);
        }
    }

    private Outputs restore(S3Store store, Location object, Params params, StepContext context)
            throws IOException, StepFailure, InterruptedException {
        String key = object.key();
        ArchiveState state = state(store, object);
        if (!state.archived()) {
            context.log().info(object.uri() + " is in " + state.storageClass() + ", not archived: nothing to restore");
            return outputs(true, false, state.storageClass(), null);
        }
        if (state.readable()) {
            context.log().info(object.uri() + " is already restored until " + state.restoredUntil());
            return outputs(true, false, state.storageClass(), state.restoredUntil());
        }
        boolean requested = false;
        if (!state.restoreInProgress()) {
            String tier = params.string("tier", "Standard");
            requested = store.requestRestore(key, tier, (int) params.integer("days", 7));
            context.log().info((requested ? "requested a " + tier + " restore of " : "a restore was already running for ")
                    + object.uri() + " (" + state.storageClass() + ")");
        } else {
            context.log().info("a restore of " + object.uri() + " is already in progress; waiting for it");
        }
        if (!params.bool("wait", true)) {
            return outputs(false, requested, state.storageClass(), null);
        }
        Duration within = params.duration("within", Duration.ofHours(12));
        if (context.remaining() != null && context.remaining().compareTo(within) < 0) {
            within = context.remaining();
        }
        Duration poll = params.duration("poll-interval", Duration.ofMinutes(1));
        Instant start = Instant.now();
        Instant deadline = start.plus(within);
        while (true) {
            Duration elapsed = Duration.between(start, Instant.now());
            context.log().info("waiting for the archive restore: " + Durations.format(elapsed) + " of " + Durations.format(within));
            state = state(store, object);
            if (state.readable()) {
                context.log().info(object.uri() + " restored after " + Durations.format(elapsed)
                        + "; readable until " + state.restoredUntil());
                return outputs(true, requested, state.storageClass(), state.restoredUntil());
            }
            if (!state.restoreInProgress() && !state.readable()) {
                // S3 forgot the request (or it expired): ask again rather than wait for nothing
                requested = store.requestRestore(key, params.string("tier", "Standard"), (int) params.integer("days", 7)) || requested;
            }
            if (!Instant.now().plus(poll).isBefore(deadline) || context.cancelled()) {
                break;
            }
            context.log().info("restore of " + object.uri() + " still in progress (" + Durations.format(elapsed)
                    + " of " + Durations.format(within) + ")");
            Thread.sleep(poll.toMillis());
        }
        throw new StepFailure("the restore of " + object.uri() + " is still in progress after "
                + Durations.format(Duration.between(start, Instant.now())) + "; S3 keeps working on it: run this step"
                + " again later (it will not request a second restore), or use tier: Expedited for GLACIER objects",
                true, null);
    }

    private static ArchiveState state(S3Store store, Location object) throws IOException, StepFailure {
        return store.archiveState(object.key()).orElseThrow(() ->
                new StepFailure("no object at " + object.uri() + "; check the location (s3.list shows what is there)",
                        false, null));
    }

    private static Outputs outputs(boolean restored, boolean requested, String storageClass, Instant until) {
        return Outputs.none().put("restored", restored).put("requested", requested)
                .put("storage-class", storageClass)
                .put("restored-until", until == null || until.equals(Instant.MAX) ? "" : until.toString());
    }
}
