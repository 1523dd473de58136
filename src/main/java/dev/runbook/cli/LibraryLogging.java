package dev.runbook.cli;

import io.netty.util.internal.logging.InternalLoggerFactory;
import io.netty.util.internal.logging.JdkLoggerFactory;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What the libraries may print on the terminal: nothing but errors.
 *
 * <p>The project gives SLF4J the no-op provider, so the AWS SDK, docker-java and Fabric8 stay
 * quiet. Netty refuses SLF4J's no-op provider and falls back to java.util.logging, whose default
 * console handler prints WARNING and up on stderr. When a streamed upload is aborted (pg_dump
 * killed mid-stream, the S3 endpoint gone), the SDK's Netty client fails the part requests in
 * flight, and Netty then warns, with a 60-line {@code IllegalReferenceCountException} stack trace,
 * that it could not fail a promise that had already failed ("Failed to mark a promise as
 * failure"). That is noise next to the step's own one-line failure: Netty's warnings are dropped,
 * its errors (a resource leak, a bug) still show.
 */
final class LibraryLogging {

    /** java.util.logging holds loggers weakly: a level set on a collected logger is lost. */
    private static final Logger NETTY = Logger.getLogger("io.netty");
    /**
     * An aborted upload stops its own event loops at once (S3Upload#abort) so that no part can
     * reach the server after the abort; a promise of a request that was in flight then cannot
     * notify its listener on the stopped loop, and Netty logs that as SEVERE with a stack trace.
     * Expected there; that logger only reports listeners that failed or could not be notified.
     */
    private static final Logger NETTY_PROMISES = Logger.getLogger("io.netty.util.concurrent.DefaultPromise");

    private LibraryLogging() {
    }

    /** Call first thing, before Netty's classes make their (static) loggers. */
    static void configure() {
        // Netty's own choice depends on what else is on the class path (Log4J2 in tests): make it explicit
        InternalLoggerFactory.setDefaultFactory(JdkLoggerFactory.INSTANCE);
        NETTY.setLevel(Level.SEVERE);
        NETTY_PROMISES.setLevel(Level.OFF);
    }
}
