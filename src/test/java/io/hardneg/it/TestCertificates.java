package io.hardneg.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway certificate authority for TLS tests: a CA, leaf keystores it signs (PKCS#12), a truststore, and the CA
 * as PEM for librdkafka.
 *
 * <p>Why {@code keytool} in a child process: the JDK has no public API that signs a certificate (only its internal
 * {@code sun.security.x509}), keytool ships with every JDK that runs these tests, and it adds no dependency; the
 * alternative, BouncyCastle's bcpkix, would be a new test dependency for a dozen certificates. Each call is a short
 * JVM start, about a second in all per leaf.
 */
final class TestCertificates {

    /** One PKCS#12 keystore: a private key and its chain, under one password (PKCS#12 has one for both). */
    record Store(Path path, String password) {
    }

    private final Path dir;
    private final String caAlias;
    private final String caPassword;
    private final Path caStore;

    private TestCertificates(Path dir, String caAlias, String caPassword) {
        this.dir = dir;
        this.caAlias = caAlias;
        this.caPassword = caPassword;
        this.caStore = dir.resolve(caAlias + "-ca.p12");
    }

    /** A new CA named {@code name} in {@code dir}, its key under {@code password}. */
    static TestCertificates authority(Path dir, String name, String password) throws IOException, InterruptedException {
        TestCertificates ca = new TestCertificates(dir, name, password);
        keytool("-genkeypair", "-keystore", ca.caStore.toString(), "-storetype", "PKCS12", "-storepass", password,
                "-alias", name, "-dname", "CN=" + name + " test CA", "-keyalg", "EC", "-groupname", "secp256r1",
                "-validity", "2", "-ext", "bc:c");
        keytool("-exportcert", "-rfc", "-keystore", ca.caStore.toString(), "-storepass", password, "-alias", name,
                "-file", ca.caPem().toString());
        return ca;
    }

    /** The CA certificate in PEM (librdkafka's {@code ssl.ca.location}). */
    Path caPem() {
        return dir.resolve(caAlias + "-ca.pem");
    }

    /** A truststore holding only this CA. */
    Store truststore(String password) throws IOException, InterruptedException {
        Path path = dir.resolve(caAlias + "-truststore.p12");
        keytool("-importcert", "-noprompt", "-keystore", path.toString(), "-storetype", "PKCS12", "-storepass",
                password, "-alias", caAlias, "-file", caPem().toString());
        return new Store(path, password);
    }

    /**
     * A keystore for {@code cn} signed by this CA, valid for 127.0.0.1 and localhost (the broker's hostname check),
     * with the CA in its chain.
     */
    Store leaf(String cn, String password) throws IOException, InterruptedException {
        Path store = dir.resolve(cn + ".p12");
        Path csr = dir.resolve(cn + ".csr");
        Path signed = dir.resolve(cn + ".pem");
        keytool("-genkeypair", "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", password,
                "-alias", cn, "-dname", "CN=" + cn, "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2");
        keytool("-certreq", "-keystore", store.toString(), "-storepass", password, "-alias", cn, "-file",
                csr.toString());
        keytool("-gencert", "-rfc", "-keystore", caStore.toString(), "-storepass", caPassword, "-alias", caAlias,
                "-infile", csr.toString(), "-outfile", signed.toString(), "-validity", "2",
                "-ext", "san=ip:127.0.0.1,dns:localhost");
        // The CA first, so that keytool accepts the signed reply as a chain it can complete.
        keytool("-importcert", "-noprompt", "-keystore", store.toString(), "-storepass", password, "-alias",
                caAlias + "-ca", "-file", caPem().toString());
        keytool("-importcert", "-keystore", store.toString(), "-storepass", password, "-alias", cn, "-file",
                signed.toString());
        return new Store(store, password);
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.add("-J-XX:TieredStopAtLevel=1"); // a second less per call on a busy machine
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("keytool " + args[0] + " did not finish in 60 s");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException("keytool " + args[0] + " exited with " + p.exitValue() + ": " + out);
        }
    }

    /** Writes {@code lines} as a properties file (values kept as they are: no escaping needed for our paths). */
    static Path properties(Path file, List<String> lines) throws IOException {
        return Files.write(file, lines, StandardCharsets.UTF_8);
    }
}
