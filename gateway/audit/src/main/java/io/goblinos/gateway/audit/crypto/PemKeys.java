package io.goblinos.gateway.audit.crypto;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;
import org.bouncycastle.util.io.pem.PemWriter;

/**
 * Reads and writes Ed25519 private keys as PKCS#8 PEM ({@code -----BEGIN PRIVATE KEY-----}, RFC 8410
 * section 7): the form {@code openssl genpkey -algorithm ed25519} writes and Node's and Python's crypto
 * libraries read.
 */
public final class PemKeys {
    private static final String PRIVATE_KEY = "PRIVATE KEY";

    private PemKeys() {
    }

    /**
     * Parses a PKCS#8 PEM Ed25519 private key (version 1 or 2; an embedded public key is ignored).
     *
     * @throws IllegalArgumentException naming what was found when the text is not such a key
     */
    public static Ed25519PrivateKey parsePrivateKey(String pem) {
        PemObject object;
        try (PemReader reader = new PemReader(new StringReader(pem))) {
            object = reader.readPemObject();
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not a PEM document: " + e.getMessage(), e);
        }
        if (object == null) {
            throw new IllegalArgumentException("no PEM block found, want -----BEGIN PRIVATE KEY-----");
        }
        if (!PRIVATE_KEY.equals(object.getType())) {
            throw new IllegalArgumentException("PEM block type is \"" + object.getType() + "\", want \"" + PRIVATE_KEY + "\" (PKCS#8)");
        }
        try {
            PrivateKeyInfo info = PrivateKeyInfo.getInstance(object.getContent());
            var algorithm = info.getPrivateKeyAlgorithm().getAlgorithm();
            if (!EdECObjectIdentifiers.id_Ed25519.equals(algorithm)) {
                throw new IllegalArgumentException("PKCS#8 key algorithm is " + algorithm + ", want Ed25519 (" + EdECObjectIdentifiers.id_Ed25519 + ")");
            }
            byte[] seed = ASN1OctetString.getInstance(info.parsePrivateKey()).getOctets();
            return Ed25519PrivateKey.fromSeed(seed);
        } catch (IOException | RuntimeException e) {
            if (e instanceof IllegalArgumentException iae && iae.getMessage() != null && iae.getMessage().startsWith("PKCS#8")) {
                throw iae;
            }
            throw new IllegalArgumentException("malformed PKCS#8 Ed25519 key: " + e.getMessage(), e);
        }
    }

    /** Reads {@link #parsePrivateKey(String)} from a file. */
    public static Ed25519PrivateKey readPrivateKey(Path file) throws IOException {
        try {
            return parsePrivateKey(Files.readString(file, StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** Encodes {@code key} as PKCS#8 v1 PEM (RFC 8410: the seed in an OCTET STRING inside the privateKey OCTET STRING). */
    public static String toPem(Ed25519PrivateKey key) {
        try {
            PrivateKeyInfo info = new PrivateKeyInfo(new AlgorithmIdentifier(EdECObjectIdentifiers.id_Ed25519), new DEROctetString(key.seed()));
            StringWriter text = new StringWriter();
            try (PemWriter writer = new PemWriter(text)) {
                writer.writeObject(new PemObject(PRIVATE_KEY, info.getEncoded()));
            }
            return text.toString();
        } catch (IOException e) {
            throw new IllegalStateException("encoding a PKCS#8 key in memory failed", e);
        }
    }

    /**
     * Writes {@code key} to {@code file} as PEM, readable by the owner only where POSIX permissions exist.
     * Refuses to overwrite an existing file.
     */
    public static void writePrivateKey(Ed25519PrivateKey key, Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, toPem(key), StandardCharsets.US_ASCII, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system: the platform default applies
        }
    }
}
