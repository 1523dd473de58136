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
 * console handler prints WARNING and up on stderr. Netty is there through Fabric8's HTTP client
 * and the SDK's Netty module; when a request in flight is failed (a streamed upload through the
 * SDK's Netty client used to be, when pg_dump was killed) Netty warns with long stack traces
 * such as "Failed to mark a promise as failure". That is noise next to a step's own one-line
 * failure: Netty's warnings are dropped, its errors (a resource leak, a bug) still show.
 */
final class LibraryLogging {

    /** java.util.logging holds loggers weakly: a level set on a collected logger is lost. */
    private static final Logger NETTY = Logger.getLogger("io.netty");

    private LibraryLogging() {
    }

    /** Call first thing, before Netty's classes make their (static) loggers. */
    static void configure() {
        // Netty's own choice depends on what else is on the class path (Log4J2 in tests): make it explicit
        InternalLoggerFactory.setDefaultFactory(JdkLoggerFactory.INSTANCE);
        NETTY.setLevel(Level.SEVERE);
    }
}
