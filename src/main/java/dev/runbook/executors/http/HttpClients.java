package dev.runbook.executors.http;

import dev.runbook.spi.ParamSpec;
import dev.runbook.spi.ParamType;
import dev.runbook.spi.Params;
import dev.runbook.spi.StepContext;
import dev.runbook.spi.StepFailure;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Collection;

/**
 * Builds the JDK HttpClient both actions use, with the TLS trust the step asked for:
 * the JVM's default trust store, only the CAs in {@code ca-file}, or (named explicitly by the
 * user) no verification at all.
 */
final class HttpClients {

    static final ParamSpec INSECURE = ParamSpec.optional("insecure-skip-tls-verify", ParamType.BOOL, false,
            "accept any TLS certificate and host name (only for self-signed test setups)");
    static final ParamSpec CA_FILE = ParamSpec.optional("ca-file", ParamType.STRING, null,
            "PEM file with the CA certificate(s) to trust instead of the default trust store; relative to the runbook");

    private HttpClients() {
    }

    static HttpClient build(Params params, Duration connectTimeout, StepContext context) throws StepFailure {
        HttpClient.Builder builder = HttpClient.newBuilder()
                .connectTimeout(connectTimeout)
                // HTTP/1.1: no h2c upgrade dance with small health endpoints; both actions send tiny requests.
                .version(HttpClient.Version.HTTP_1_1)
                // Never follow redirects: a health URL that redirects (to a login page) is not healthy,
                // and following would forward an Authorization header to another host.
                .followRedirects(HttpClient.Redirect.NEVER);
        boolean insecure = params.bool(INSECURE.name(), false);
        String caFile = params.string(CA_FILE.name());
        if (insecure) {
            context.log().warn("TLS certificate verification is OFF for this step (insecure-skip-tls-verify: true)");
            builder.sslContext(sslContext(new TrustManager[]{new TrustAll()}));
        } else if (caFile != null && !caFile.isBlank()) {
            builder.sslContext(sslContext(trustOnly(context.runbookDir().resolve(caFile))));
        }
        return builder.build();
    }

    private static SSLContext sslContext(TrustManager[] trust) throws StepFailure {
        try {
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, trust, null);
            return ssl;
        } catch (GeneralSecurityException e) {
            throw new StepFailure("http-check: cannot set up TLS: " + e.getMessage(), false, e);
        }
    }

    private static TrustManager[] trustOnly(Path pem) throws StepFailure {
        Collection<? extends Certificate> certs;
        try (InputStream in = Files.newInputStream(pem)) {
            certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (IOException e) {
            throw new StepFailure("http-check: cannot read ca-file " + pem + ": " + e.getMessage(), false, e);
        } catch (GeneralSecurityException e) {
            throw new StepFailure("http-check: ca-file " + pem + " is not a PEM certificate file: " + e.getMessage(), false, e);
        }
        if (certs.isEmpty()) {
            throw new StepFailure("http-check: ca-file " + pem + " holds no certificate (expected -----BEGIN CERTIFICATE-----)", false, null);
        }
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate cert : certs) {
                store.setCertificateEntry("ca-" + i++, cert);
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            return factory.getTrustManagers();
        } catch (GeneralSecurityException | IOException e) {
            throw new StepFailure("http-check: cannot load ca-file " + pem + ": " + e.getMessage(), false, e);
        }
    }

    /**
     * Accepts every certificate. It extends X509ExtendedTrustManager on purpose: the JDK wraps
     * a plain X509TrustManager and would still check the host name.
     */
    private static final class TrustAll extends X509ExtendedTrustManager {
        @Override public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) { }
        @Override public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) { }
        @Override public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) { }
        @Override public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) { }
        @Override public void checkClientTrusted(X509Certificate[] chain, String authType) { }
        @Override public void checkServerTrusted(X509Certificate[] chain, String authType) { }
        @Override public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
    }
}
