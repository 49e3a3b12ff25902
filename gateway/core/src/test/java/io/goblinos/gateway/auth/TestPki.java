package io.goblinos.gateway.auth;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * A throw-away PKI for tests, made with BouncyCastle: CAs, server certificates for 127.0.0.1/localhost and client
 * certificates with SPIFFE URI SANs (EC P-256, SHA256withECDSA).
 */
public final class TestPki {
  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

  private TestPki() {}

  /** A key pair and its certificate (and the CA chain above it, leaf first). */
  public record Issued(KeyPair keys, X509Certificate cert, List<X509Certificate> chain) {
    public String certPem() {
      StringBuilder b = new StringBuilder();
      for (X509Certificate c : chain) {
        b.append(pem(c));
      }
      return b.toString();
    }

    public String keyPem() {
      return pemPkcs8(keys);
    }

    /** Writes {@code name.crt} and {@code name.key} into {@code dir}; returns the cert path. */
    public Path write(Path dir, String name) {
      try {
        Files.writeString(dir.resolve(name + ".crt"), certPem());
        Files.writeString(dir.resolve(name + ".key"), keyPem());
        return dir.resolve(name + ".crt");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** A CA that issues certificates. */
  public static final class Ca {
    public final Issued self;

    private Ca(Issued self) {
      this.self = self;
    }

    public X509Certificate cert() {
      return self.cert();
    }

    public String pem() {
      return TestPki.pem(self.cert());
    }

    public Path writeCert(Path file) {
      try {
        Files.writeString(file, pem());
        return file;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    public Issued server() {
      return issue("gateway", List.of(), true, Instant.now().minus(Duration.ofHours(1)), Instant.now().plus(Duration.ofDays(1)));
    }

    public Issued client(String spiffeId) {
      return issue("client", spiffeId == null ? List.of() : List.of(spiffeId), false,
          Instant.now().minus(Duration.ofHours(1)), Instant.now().plus(Duration.ofDays(1)));
    }

    public Issued issue(String cn, List<String> uris, boolean server, Instant notBefore, Instant notAfter) {
      try {
        KeyPair keys = keyPair();
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
            X500Name.getInstance(self.cert().getSubjectX500Principal().getEncoded()),
            BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(notBefore), Date.from(notAfter),
            new X500Name("CN=" + cn), keys.getPublic());
        List<GeneralName> names = new ArrayList<>();
        for (String u : uris) {
          names.add(new GeneralName(GeneralName.uniformResourceIdentifier, u));
        }
        if (server) {
          names.add(new GeneralName(GeneralName.dNSName, "localhost"));
          names.add(new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
        }
        if (!names.isEmpty()) {
          b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)));
        }
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
        b.addExtension(Extension.extendedKeyUsage, false,
            new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
        X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
            b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(self.keys().getPrivate())));
        return new Issued(keys, cert, List.of(cert));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  public static Ca ca(String name) {
    try {
      KeyPair keys = keyPair();
      Instant now = Instant.now();
      X500Name dn = new X500Name("CN=" + name);
      JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(dn, BigInteger.valueOf(SERIAL.incrementAndGet()),
          Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(30))), dn, keys.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
          b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
      return new Ca(new Issued(keys, cert, List.of(cert)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static KeyPair keyPair() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
    return g.generateKeyPair();
  }

  public static String pem(X509Certificate cert) {
    try {
      StringWriter w = new StringWriter();
      try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
        pw.writeObject(cert);
      }
      return w.toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static String pemPkcs8(KeyPair keys) {
    try {
      StringWriter w = new StringWriter();
      try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
        pw.writeObject(new PemObject("PRIVATE KEY", keys.getPrivate().getEncoded()));
      }
      return w.toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * A key manager that presents its certificate whatever the server asks for: the JDK's own skips certificates of
   * CAs the server did not list, or expired ones, and would send none; a test of those refusals needs them sent.
   */
  static X509ExtendedKeyManager always(X509ExtendedKeyManager km) {
    return new X509ExtendedKeyManager() {
      @Override
      public String[] getClientAliases(String keyType, Principal[] issuers) {
        return new String[] {"client"};
      }

      @Override
      public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return "client";
      }

      @Override
      public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
        return "client";
      }

      @Override
      public String[] getServerAliases(String keyType, Principal[] issuers) {
        return null;
      }

      @Override
      public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return null;
      }

      @Override
      public X509Certificate[] getCertificateChain(String alias) {
        return km.getCertificateChain(alias);
      }

      @Override
      public PrivateKey getPrivateKey(String alias) {
        return km.getPrivateKey(alias);
      }
    };
  }

  /** A JDK SSLContext trusting {@code trusted} and presenting {@code client} (or no certificate when null). */
  public static SSLContext sslContext(X509Certificate trusted, Issued client) {
    try {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("ca", trusted);
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      KeyManagerFactory kmf = null;
      if (client != null) {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("client", client.keys().getPrivate(), "x".toCharArray(), client.chain().toArray(Certificate[]::new));
        kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "x".toCharArray());
      }
      SSLContext ctx = SSLContext.getInstance("TLS");
      KeyManager[] kms = kmf == null ? null : new KeyManager[] {always((X509ExtendedKeyManager) kmf.getKeyManagers()[0])};
      ctx.init(kms, tmf.getTrustManagers(), new SecureRandom());
      return ctx;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
