package dev.runbook.executors.postgres;

import dev.runbook.spi.ChildProcess;
import dev.runbook.spi.Params;
import dev.runbook.spi.StepContext;
import dev.runbook.spi.StepFailure;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Debian's {@code age} CLI as a stage of the dump and restore pipelines, like pg_dump itself:
 * the same tool an engineer uses by hand ({@code age -d -i key.txt}), so what the tool writes
 * is exactly what the by-hand restore reads. Recipients are public keys and go into argv;
 * an identity never does: age reads it from a file given by path ({@code -i}), either the
 * user's own file or a 0600 file in the step's scratch directory, deleted after the step.
 */
final class Age {

    static final String SUFFIX = ".age";
    static final String ENV_IDENTITY = "RUNBOOK_AGE_IDENTITY";

    private Age() {
    }

    static boolean encrypted(String keyOrUri) {
        return keyOrUri.endsWith(SUFFIX);
    }

    /** {@code age --encrypt -r R1 -r R2 ...}: plaintext on stdin, ciphertext on stdout. */
    static ChildProcess encrypt(List<String> recipients) {
        List<String> argv = new ArrayList<>(List.of("age", "--encrypt"));
        for (String r : recipients) {
            argv.add("--recipient");
            argv.add(r);
        }
        return ChildProcess.of(argv);
    }

    /** {@code age --decrypt -i FILE}: ciphertext on stdin, plaintext on stdout. */
    static ChildProcess decrypt(Identity identity) {
        return ChildProcess.of(List.of("age", "--decrypt", "--identity", identity.file().toString()));
    }

    /**
     * Recipients as given (a list, or one string separated by commas or newlines, as a runbook
     * input gives them), checked for the shape age accepts, so a typo fails before pg_dump runs.
     */
    static List<String> recipients(List<String> given) throws StepFailure {
        List<String> out = new ArrayList<>();
        for (String r : given.stream().flatMap(g -> Arrays.stream(g.split("[,\\n]"))).toList()) {
            String t = r.trim();
            if (t.isEmpty()) {
                continue;
            }
            String lower = t.toLowerCase(Locale.ROOT);
            if (lower.startsWith("age-secret-key-")) {
                throw new StepFailure("encrypt-to was given a private key (AGE-SECRET-KEY-...); give the public key"
                        + " (age1..., printed by age-keygen -y) and keep the private key off the backup host", false, null);
            }
            if (!(lower.startsWith("age1") || t.startsWith("ssh-ed25519 ") || t.startsWith("ssh-rsa "))) {
                throw new StepFailure("encrypt-to: '" + t + "' is not an age recipient (age1..., ssh-ed25519 or ssh-rsa"
                        + " public key)", false, null);
            }
            out.add(t);
        }
        return List.copyOf(out);
    }

    /**
     * The identity file age reads; {@link #close()} deletes it when this step wrote it.
     *
     * @param temporary true when the file holds a secret given as text and must be deleted
     */
    record Identity(Path file, boolean temporary) implements AutoCloseable {

        /**
         * From {@code identity-file} (a path: used as it is), else from the secret {@code identity}
         * or {@code $RUNBOOK_AGE_IDENTITY} (the key's text: written to a 0600 file for age).
         */
        static Identity from(Params params, StepContext ctx, String uri) throws StepFailure, IOException {
            String file = params.string("identity-file");
            if (file != null && !file.isBlank()) {
                Path path = Path.of(file);
                if (!Files.isReadable(path)) {
                    throw new StepFailure("identity-file '" + file + "' cannot be read; " + uri + " is encrypted with age"
                            + " and needs the private key (AGE-SECRET-KEY-...) to restore", false, null);
                }
                return new Identity(path, false);
            }
            Params.Sensitive given = params.sensitive("identity");
            String text = given != null && given.value() != null && !given.value().isBlank()
                    ? given.value() : ctx.env().get(ENV_IDENTITY);
            if (text == null || text.isBlank()) {
                throw new StepFailure(uri + " is encrypted with age: give the private key as identity-file (a path)"
                        + " or as the secret identity / $" + ENV_IDENTITY + "; nothing was restored", false, null);
            }
            ctx.addSecret(text.trim());
            Path tmp = Files.createTempFile(ctx.scratchDir(), "age-identity-", ".txt",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.write(tmp, (text.trim() + "\n").getBytes(StandardCharsets.UTF_8));
            return new Identity(tmp, true);
        }

        @Override
        public void close() throws IOException {
            if (temporary) {
                Files.deleteIfExists(file);
            }
        }
    }
}
