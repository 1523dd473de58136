package dev.runbook.executors.s3;

import dev.runbook.spi.BadParameterException;
import dev.runbook.backups.DrillRecord;
import dev.runbook.spi.Action;
import dev.runbook.spi.OutputSpec;
import dev.runbook.spi.Outputs;
import dev.runbook.spi.ParamSpec;
import dev.runbook.spi.ParamType;
import dev.runbook.spi.Params;
import dev.runbook.spi.StepContext;
import dev.runbook.storage.BackupKeys;
import dev.runbook.storage.ObjectInfo;
import dev.runbook.storage.ObjectStore;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Writes a restore drill's result beside the backup it used ({@code <key>.drill.json}), so the
 * catalog shows which backups were restored and retention keeps the proven one. The SHA-256
 * the restore read is compared with the manifest's here: "verified" means exactly that.
 */
final class RecordDrillAction implements Action {

    @Override
    public String name() {
        return "record-drill";
    }

    @Override
    public String summary() {
        return "record a restore drill's result beside the backup it restored (<key>.drill.json)";
    }

    @Override
    public List<ParamSpec> params() {
        return StoreParams.with(List.of(
                ParamSpec.required("backup", ParamType.STRING, "the backup the drill restored: s3://bucket/key or file:///dir/name"),
                ParamSpec.required("passed", ParamType.BOOL, "whether the drill passed (restore and verification)"),
                ParamSpec.optional("recovery-ms", ParamType.INT, null, "how long the restore took; negative: not measured"),
                ParamSpec.optional("rows", ParamType.INT, null, "rows verified; negative: not verified"),
                ParamSpec.optional("tables", ParamType.INT, null, "tables verified; negative: not verified"),
                ParamSpec.optional("sha256", ParamType.STRING, null,
                        "SHA-256 of the backup as the restore read it; compared with the manifest's")));
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(
                OutputSpec.of("record", ParamType.STRING, "where the record was written"),
                OutputSpec.of("sha256-verified", ParamType.BOOL, "the SHA-256 read matches the manifest's"));
    }

    @Override
    public String describe(Params params) {
        return "record the drill result beside " + params.display("backup") + " (" + params.display("backup")
                + ".drill.json)" + StoreParams.endpointNote(params);
    }

    @Override
    public Outputs execute(Params params, StepContext context) throws Exception {
        Location backup = Location.param(params, "backup");
        try (ObjectStore store = StoreParams.open(backup, params, context)) {
            boolean verified = false;
            if (params.has("sha256") && !params.string("sha256").isBlank()) {
                Optional<String> recorded = recordedSha256(store, backup.key());
                verified = recorded.isPresent() && recorded.get().equals(params.string("sha256").trim().toLowerCase(Locale.ROOT));
            }
            DrillRecord record = new DrillRecord(backup.uri(), params.bool("passed", false) ? "passed" : "failed",
                    Instant.now().toString(), optLong(params, "recovery-ms"), optLong(params, "rows"), optLong(params, "tables"),
                    verified, context.runId());
            String key = BackupKeys.drillKey(backup.key());
            store.put(key, record.toJson(), Map.of());
            context.log().info("drill " + record.result() + " recorded at " + backup.uriOf(key)
                    + (verified ? " (SHA-256 matches the manifest)" : ""));
            return Outputs.none().put("record", backup.uriOf(key)).put("sha256-verified", verified);
        } catch (IOException e) {
            throw Failures.of(e, backup.uri());
        } catch (BadParameterException e) {
            throw Failures.badParam(e);
        }
    }

    private static Optional<String> recordedSha256(ObjectStore store, String backupKey) throws IOException {
        Optional<ObjectInfo> info = store.stat(backupKey);
        return info.isEmpty() ? Optional.empty() : RecordedChecksum.find(store, info.get()).map(RecordedChecksum::sha256);
    }

    private static Long optLong(Params params, String name) {
        // a runbook cannot leave a parameter out conditionally, so "not measured" comes as -1
        return params.has(name) && params.integer(name, -1) >= 0 ? params.integer(name, -1) : null;
    }
}
