package io.switchboard.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenCipherTest {

    static final String OLD_KEY = "b2xkLWtleS1vbGQta2V5LW9sZC1rZXktb2xkLWtleSE=";
    static final String NEW_KEY = "bmV3LWtleS1uZXcta2V5LW5ldy1rZXktbmV3LWtleSE=";

    @Test
    void afterARotationValuesUnderThePreviousKeyStillDecryptAndNewOnesUseTheNewKey() {
        String stored = new TokenCipher(OLD_KEY, List.of()).encrypt("refresh-token-value", "chat/refresh_token");

        TokenCipher rotated = new TokenCipher(NEW_KEY, List.of(OLD_KEY));

        assertThat(rotated.decrypt(stored, "chat/refresh_token")).isEqualTo("refresh-token-value");
        String rewritten = rotated.encrypt("refresh-token-value", "chat/refresh_token");
        assertThat(rewritten).startsWith("v1:" + rotated.currentKeyId() + ":").isNotEqualTo(stored);
        assertThat(stored).doesNotContain(rotated.currentKeyId());
    }

    @Test
    void aValueUnderAKeyNoLongerConfiguredIsRefusedNamingTheVariables() {
        String stored = new TokenCipher(OLD_KEY, List.of()).encrypt("access", "chat/access_token");

        assertThatThrownBy(() -> new TokenCipher(NEW_KEY, List.of()).decrypt(stored, "chat/access_token"))
                .hasMessageContaining("SWITCHBOARD_ENCRYPTION_PREVIOUS_KEYS").hasMessageContaining("reconnect");
    }

    @Test
    void aChangedValueOrOneMovedToAnotherPurposeDoesNotDecrypt() {
        TokenCipher cipher = new TokenCipher(NEW_KEY, List.of());
        String stored = cipher.encrypt("access", "chat/access_token");
        String tampered = stored.substring(0, stored.length() - 4) + (stored.endsWith("AAAA") ? "BBBB" : "AAAA");

        assertThatThrownBy(() -> cipher.decrypt(tampered, "chat/access_token")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> cipher.decrypt(stored, "crm/access_token")).isInstanceOf(IllegalStateException.class);
        assertThat(cipher.encrypt("access", "chat/access_token")).isNotEqualTo(stored); // a fresh nonce each time
    }

    @Test
    void aKeyThatIsNotBase64Or32BytesIsRefusedWithHowToMakeOne() {
        assertThatThrownBy(() -> new TokenCipher("not base64!", List.of())).hasMessageContaining("openssl rand -base64 32");
        assertThatThrownBy(() -> new TokenCipher("c2hvcnQ=", List.of())).hasMessageContaining("32");
    }

    @Test
    void theDemoGeneratesOneKeyFileAndKeepsUsingIt(@TempDir Path data) throws Exception {
        Path file = data.resolve("encryption.key");
        TokenCipher first = TokenCipher.configured(null, null, file.toString());
        String stored = first.encrypt("token", "chat/access_token");

        TokenCipher again = TokenCipher.configured("", "", file.toString());

        assertThat(Files.exists(file)).isTrue();
        if (Files.getFileAttributeView(file, PosixFileAttributeView.class) != null) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                    .isEqualTo("rw-------");
        }
        assertThat(again.decrypt(stored, "chat/access_token")).isEqualTo("token");
        assertThat(TokenCipher.configured(null, null, null)).isNull();
    }

    @Test
    void withoutAKeyAServerWithAConnectAccountConnectionRefusesToStartNamingTheVariable() {
        var chat = new ConnectionsProperties.Connection("http://chat.invalid/api", new ConnectionsProperties.Auth(
                ConnectionsProperties.AuthType.OAUTH2_AUTHORIZATION_CODE, null, null, null, null, null, null, null, null,
                null, null, null, null), null, null, 0, 0, null);
        var properties = new ConnectionsProperties(Map.of("chat", chat));

        assertThatThrownBy(() -> new ConnectionAuthorizations(null, null, null, properties, "", "", ""))
                .hasMessageContaining("SWITCHBOARD_ENCRYPTION_KEY").hasMessageContaining("chat");
    }
}
