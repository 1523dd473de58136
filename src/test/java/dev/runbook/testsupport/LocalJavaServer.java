package dev.runbook.testsupport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Java server (S3Proxy, S3Mock) started from the test classpath in a child JVM, so its
 * logging, threads and static state stay out of the test JVM. Output goes to a log file that
 * failures point at.
 */
final class LocalJavaServer implements AutoCloseable {

    private final Process process;
    private final Path log;
    private final int port;

    private LocalJavaServer(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    static LocalJavaServer start(String name, String mainClass, List<String> args, int port, Duration startup)
            throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // surefire/failsafe run tests from a manifest-only jar; the real classpath is in this property
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(java, "-Xmx512m", "-XX:TieredStopAtLevel=1",
                "-cp", classpath, mainClass));
        command.addAll(args);
        Path log = Files.createTempFile(name + "-", ".log");
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        LocalJavaServer server = new LocalJavaServer(process, log, port);
        // a test JVM that dies or is stopped must not leave a server running
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly, name + "-stop"));
        server.awaitPort(name, startup);
        return server;
    }

    int port() {
        return port;
    }

    Path log() {
        return log;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private void awaitPort(String name, Duration startup) throws IOException {
        Instant deadline = Instant.now().plus(startup);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IOException(name + " exited with " + process.exitValue() + " during startup; log: "
                        + Files.readString(log));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                sleep(100);
            }
        }
        close();
        throw new IOException(name + " did not listen on 127.0.0.1:" + port + " within " + startup + "; log: " + log);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
