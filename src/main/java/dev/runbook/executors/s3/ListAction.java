package dev.runbook.executors.s3;

import dev.runbook.spi.BadParameterException;

import dev.runbook.spi.Action;
import dev.runbook.spi.Counts;
import dev.runbook.spi.OutputSpec;
import dev.runbook.spi.Outputs;
import dev.runbook.spi.ParamSpec;
import dev.runbook.spi.ParamType;
import dev.runbook.spi.Params;
import dev.runbook.spi.StepContext;
import dev.runbook.storage.ObjectInfo;
import dev.runbook.storage.ObjectStore;

import java.io.IOException;
import java.util.List;

/** Lists every object under a prefix (all pages). */
final class ListAction implements Action {

    @Override
    public String name() {
        return "list";
    }

    @Override
    public String summary() {
        return "list the objects under s3://bucket/prefix (or file:///dir/prefix)";
    }

    @Override
    public List<ParamSpec> params() {
        return StoreParams.with(List.of(
                ParamSpec.required("prefix", ParamType.STRING, "where to list: s3://bucket/prefix or file:///dir/prefix")));
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(
                OutputSpec.of("keys", ParamType.LIST, "the keys, in key order"),
                OutputSpec.of("count", ParamType.INT, "how many"));
    }

    @Override
    public String describe(Params params) {
        return "list the objects under " + params.display("prefix") + StoreParams.endpointNote(params);
    }

    @Override
    public Outputs execute(Params params, StepContext context) throws Exception {
        Location prefix = Location.param(params, "prefix");
        try (ObjectStore store = StoreParams.open(prefix, params, context)) {
            List<String> keys = store.list(prefix.key()).stream().map(ObjectInfo::key).sorted().toList();
            context.log().info(Counts.of(keys.size(), "object") + " under " + prefix.uri());
            return Outputs.none().put("keys", keys).put("count", (long) keys.size());
        } catch (IOException e) {
            throw Failures.of(e, prefix.uri());
        } catch (BadParameterException e) {
            throw Failures.badParam(e);
        }
    }
}
