package io.goblinos.gateway.audit.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Ed25519AndPemTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void rfc8032Test1() {
        // RFC 8032 section 7.1, TEST 1 (empty message).
        Ed25519PrivateKey key = Ed25519PrivateKey.fromSeed(HEX.parseHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
        assertThat(HEX.formatHex(key.publicKey().raw())).isEqualTo("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
        byte[] signature = key.sign(new byte[0]);
        assertThat(HEX.formatHex(signature)).isEqualTo("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
        assertThat(key.publicKey().verify(new byte[0], signature)).isTrue();
        signature[10] ^= 1;
        assertThat(key.publicKey().verify(new byte[0], signature)).isFalse();
        assertThat(key.publicKey().verify(new byte[0], new byte[63])).isFalse();
    }

    @Test
    void pkcs8PemRoundTripsAndMatchesOpenSslLayout(@TempDir Path dir) throws Exception {
        Ed25519PrivateKey key = Ed25519PrivateKey.generate(new SecureRandom());
        Path file = dir.resolve("k.pem");
        PemKeys.writePrivateKey(key, file);
        Ed25519PrivateKey read = PemKeys.readPrivateKey(file);
        assertThat(read.publicKey()).isEqualTo(key.publicKey());
        // RFC 8410 section 10.3 example private key (openssl genpkey -algorithm ed25519 writes this layout).
        String rfc8410 = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC\n-----END PRIVATE KEY-----\n";
        Ed25519PrivateKey example = PemKeys.parsePrivateKey(rfc8410);
        assertThat(PemKeys.toPem(example).replace("\r", "")).isEqualTo(rfc8410);
        assertThat(key.toString()).doesNotContain(HEX.formatHex(key.seed()));
        assertThatThrownBy(() -> PemKeys.writePrivateKey(key, file)).isInstanceOf(java.nio.file.FileAlreadyExistsException.class);
    }

    @Test
    void wrongPemInputsAreNamed() {
        assertThatThrownBy(() -> PemKeys.parsePrivateKey("hello")).hasMessageContaining("no PEM block found");
        assertThatThrownBy(() -> PemKeys.parsePrivateKey("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----\n"))
                .hasMessageContaining("PEM block type is \"PUBLIC KEY\", want \"PRIVATE KEY\"");
    }
}
