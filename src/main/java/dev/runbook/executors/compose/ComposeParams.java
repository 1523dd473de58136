package dev.runbook.executors.compose;

import dev.runbook.spi.BadParameterException;

import dev.runbook.spi.ParamSpec;
import dev.runbook.spi.ParamType;
import dev.runbook.spi.Params;
import dev.runbook.spi.Secret;
import dev.runbook.spi.StepContext;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Parameter specs shared by the compose actions, and helpers to read them. */
final class ComposeParams {

    static final ParamSpec PROJECT = ParamSpec.optional("project", ParamType.STRING, null,
            "Compose project name (default: the compose target's `project`)");
    static final ParamSpec FILES = ParamSpec.optional("files", ParamType.LIST, null,
            "compose files, relative to the runbook (default: the compose target's `files`)")
            .ofItems(ParamSpec.element(ParamType.STRING, "a compose file"));
    static final ParamSpec SERVICES = ParamSpec.optional("services", ParamType.LIST, List.of(),
            "services to act on; empty means all services in the files")
            .ofItems(ParamSpec.element(ParamType.STRING, "a Compose service"));
    static final ParamSpec SERVICE = ParamSpec.required("service", ParamType.STRING, "the Compose service");
    static final ParamSpec WITHIN = ParamSpec.optional("within", ParamType.DURATION, "2m",
            "how long to wait for the services to become healthy (or running, without a healthcheck)");
    static final ParamSpec COMMAND = ParamSpec.required("command", ParamType.LIST,
            "the command as an argument array, e.g. [alembic, upgrade, head]; a string only with shell: true")
            .ofItems(ParamSpec.element(ParamType.STRING, "one argument"));
    static final ParamSpec SHELL = ParamSpec.optional("shell", ParamType.BOOL, false,
            "run `command` (then a string) with sh -c inside the container");
    static final ParamSpec ENV = ParamSpec.optional("env", ParamType.MAP, Map.of(),
            "environment variables for the command; values may be secrets (passed as environment, never shown)")
            .asSensitive().ofValues(ParamSpec.element(ParamType.STRING, "the variable's value"));
    static final ParamSpec USER = ParamSpec.optional("user", ParamType.STRING, null, "user to run the command as");
    static final ParamSpec WORKDIR = ParamSpec.optional("workdir", ParamType.STRING, null,
            "working directory inside the container");

    static final Duration DEFAULT_WITHIN = Duration.ofMinutes(2);

    private ComposeParams() {
    }

    /** The command to run: the argument array as given, or {@code sh -c <string>} with shell: true. */
    static List<String> command(Params params) {
        Object raw = params.raw("command");
        if (raw instanceof Secret) {
            throw new BadParameterException("`command` must not hold a secret: it would show in process lists; "
                    + "pass the secret in `env` and refer to it as $NAME inside the command");
        }
        boolean shell = params.bool("shell", false);
        if (shell) {
            if (raw instanceof List<?>) {
                throw new BadParameterException("with shell: true, `command` is one string for sh -c, not a list");
            }
            return List.of("sh", "-c", params.string("command"));
        }
        if (!(raw instanceof List<?>)) {
            throw new BadParameterException("`command` must be an argument array, e.g. [alembic, upgrade, head]; "
                    + "to run a shell command line instead, set shell: true explicitly");
        }
        List<String> argv = params.strings("command");
        if (argv.isEmpty()) {
            throw new BadParameterException("`command` is empty");
        }
        return argv;
    }

    /** The command as the plan shows it (pure, secrets masked). */
    static String displayCommand(Params params) {
        Object raw = params.raw("command");
        if (raw instanceof List<?> l) {
            List<String> parts = new ArrayList<>();
            l.forEach(p -> parts.add(Params.display(p)));
            return String.join(" ", parts);
        }
        return params.display("command");
    }

    /**
     * The {@code env} map with secrets revealed; each secret value is registered with the
     * engine so it is masked if the command ever prints it.
     */
    static Map<String, String> env(Params params, StepContext context) {
        return params.stringMap("env", context::addSecret);
    }

    /** " with env A, B" (names only), or empty. */
    static String displayEnvNames(Params params) {
        Object raw = params.raw("env");
        if (raw instanceof Map<?, ?> env) {
            return env.isEmpty() ? "" : " with env " + String.join(", ", env.keySet().stream().map(String::valueOf).toList());
        }
        return raw == null ? "" : " with env " + params.display("env");
    }

    static String displayServices(Params params) {
        Object raw = params.raw("services");
        if (raw != null && !(raw instanceof List<?>)) {
            return "services " + params.display("services");
        }
        List<?> services = raw == null ? List.of() : (List<?>) raw;
        if (services.isEmpty()) {
            return "all services";
        }
        return (services.size() == 1 ? "service " : "services ")
                + String.join(", ", services.stream().map(Params::display).toList());
    }
}
