package dev.runbook.engine;

import dev.runbook.model.InvalidRunbookException;
import dev.runbook.model.Problem;
import dev.runbook.model.Runbook;
import dev.runbook.model.SecretDef;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads a runbook's secrets from the environment or files, at the start of every run and resume. */
final class Secrets {

    private Secrets() {
    }

    static Map<String, String> resolve(Runbook runbook, Map<String, String> env, SecretMasker masker)
            throws InvalidRunbookException {
        Map<String, String> values = new LinkedHashMap<>();
        List<Problem> problems = new ArrayList<>();
        for (SecretDef def : runbook.secrets().values()) {
            String value = null;
            if (def.env() != null) {
                value = env.get(def.env());
                if ((value == null || value.isEmpty()) && !def.optional()) {
                    problems.add(new Problem(def.location(), null, "secrets." + def.name(),
                            "secret '" + def.name() + "' comes from environment variable " + def.env() + ", which is not set", null));
                }
            } else {
                Path file = runbook.file().getParent().resolve(def.file());
                try {
                    value = Files.readString(file, StandardCharsets.UTF_8).stripTrailing();
                } catch (IOException e) {
                    if (!def.optional()) {
                        problems.add(new Problem(def.location(), null, "secrets." + def.name(),
                                "secret '" + def.name() + "' comes from file " + file + ", which cannot be read", null));
                    }
                }
            }
            if (value != null && !value.isEmpty()) {
                masker.add(value);
                values.put(def.name(), value);
            } else if (def.optional()) {
                values.put(def.name(), ""); // absent optional secret: test it with `secrets.x != ''`
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidRunbookException(problems);
        }
        return values;
    }
}
