package io.switchboard.connect;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Encrypts what a connection must keep but nobody may read (access and refresh tokens):
 * AES-256-GCM under the key from {@code SWITCHBOARD_ENCRYPTION_KEY}, a fresh 96-bit nonce per
 * value, and the value's purpose (connection and column) as associated data, so a ciphertext
 * copied into another row does not decrypt. A stored value reads {@code v1:<key id>:<base64>},
 * the key id being the first 8 hex digits of the key's SHA-256: after a key rotation, values
 * written under a previous key ({@code SWITCHBOARD_ENCRYPTION_PREVIOUS_KEYS}) still decrypt, and
 * every value written from then on uses the new one.
 */
public final class TokenCipher {

    private static final Logger log = LoggerFactory.getLogger(TokenCipher.class);
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String currentId;
    private final Map<String, SecretKeySpec> keys = new LinkedHashMap<>();

    /**
     * @param key          the key new values are written under (base64 of 16, 24 or 32 bytes)
     * @param previousKeys keys accepted for reading only, after a rotation
     */
    public TokenCipher(String key, List<String> previousKeys) {
        SecretKeySpec current = parse(key, "SWITCHBOARD_ENCRYPTION_KEY");
        currentId = idOf(current);
        keys.put(currentId, current);
        for (String previous : previousKeys) {
            if (previous != null && !previous.isBlank()) {
                SecretKeySpec spec = parse(previous.trim(), "SWITCHBOARD_ENCRYPTION_PREVIOUS_KEYS");
                keys.putIfAbsent(idOf(spec), spec);
            }
        }
    }

    /**
     * The cipher configured for this server: the key from {@code switchboard.encryption.key}
     * ({@code SWITCHBOARD_ENCRYPTION_KEY}); without one, when {@code keyFile} is set (the demo
     * profile), a key generated once into that file; else {@code null}.
     */
    static TokenCipher configured(String key, String previousKeys, String keyFile) {
        List<String> previous = previousKeys == null ? List.of() : List.of(previousKeys.split(","));
        if (key != null && !key.isBlank()) {
            return new TokenCipher(key.trim(), previous);
        }
        if (keyFile == null || keyFile.isBlank()) {
            return null;
        }
        Path file = Path.of(keyFile);
        try {
            if (!Files.exists(file)) {
                byte[] fresh = new byte[32];
                RANDOM.nextBytes(fresh);
                Files.createDirectories(file.toAbsolutePath().getParent());
                try {
                    // Owner-only from its first byte, not chmod-ed after it was written.
                    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(
                            "rw-------")));
                } catch (UnsupportedOperationException notPosix) {
                    Files.createFile(file); // Windows: the file keeps the folder's permissions.
                }
                Files.writeString(file, Base64.getEncoder().encodeToString(fresh) + "\n", StandardCharsets.US_ASCII);
                log.warn("No SWITCHBOARD_ENCRYPTION_KEY set: generated a token encryption key into {} (demo only). "
                        + "Keep the file with the database, or tokens stored under it cannot be read.", file);
            }
            return new TokenCipher(Files.readString(file, StandardCharsets.US_ASCII).trim(), previous);
        } catch (IOException unreadable) {
            throw new IllegalStateException("Cannot read or create the demo token key " + file + ": " + unreadable
                    .getMessage() + ". Set SWITCHBOARD_ENCRYPTION_KEY instead.", unreadable);
        }
    }

    /** The value encrypted for {@code purpose} (e.g. {@code chat/access_token}). */
    public String encrypt(String plain, String purpose) {
        if (plain == null) {
            return null;
        }
        try {
            byte[] nonce = new byte[NONCE_BYTES];
            RANDOM.nextBytes(nonce);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, keys.get(currentId), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(purpose.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(plain.getBytes(StandardCharsets.UTF_8));
            byte[] out = new byte[nonce.length + sealed.length];
            System.arraycopy(nonce, 0, out, 0, nonce.length);
            System.arraycopy(sealed, 0, out, nonce.length, sealed.length);
            return "v1:" + currentId + ":" + Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available in this JVM", e);
        }
    }

    /** The plain value; refuses a value under an unknown key or changed in any way. */
    public String decrypt(String stored, String purpose) {
        if (stored == null) {
            return null;
        }
        String[] parts = stored.split(":", 3);
        if (parts.length != 3 || !parts[0].equals("v1")) {
            throw new IllegalStateException("A stored token is not in the encrypted format (v1:<key id>:...)");
        }
        SecretKeySpec key = keys.get(parts[1]);
        if (key == null) {
            throw new IllegalStateException("A stored token was encrypted under key " + parts[1]
                    + ", which is neither SWITCHBOARD_ENCRYPTION_KEY (" + currentId + ") nor among "
                    + "SWITCHBOARD_ENCRYPTION_PREVIOUS_KEYS " + new ArrayList<>(keys.keySet())
                    + ": add the old key there, or reconnect the connection");
        }
        try {
            byte[] in = Base64.getDecoder().decode(parts[2]);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, in, 0, NONCE_BYTES));
            cipher.updateAAD(purpose.getBytes(StandardCharsets.UTF_8));
            return new String(cipher.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("A stored token does not decrypt under key " + parts[1]
                    + " (changed, or copied from another row)", e);
        }
    }

    /** The id of the key new values are written under. */
    public String currentKeyId() {
        return currentId;
    }

    private static SecretKeySpec parse(String base64, String variable) {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(base64.trim());
        } catch (IllegalArgumentException notBase64) {
            throw new IllegalStateException(variable + " is not base64: make one with `openssl rand -base64 32`");
        }
        if (raw.length != 16 && raw.length != 24 && raw.length != 32) {
            throw new IllegalStateException(variable + " decodes to " + raw.length + " bytes; AES needs 32 (or 16, 24): "
                    + "make one with `openssl rand -base64 32`");
        }
        return new SecretKeySpec(raw, "AES");
    }

    private static String idOf(SecretKeySpec key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getEncoded()), 0, 4);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
