package io.jtipc.cli.pcap;

import io.jtipc.capture.DissectorOptions;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Decryption keys kept off the command line (where {@code ps} shows them to every user): {@code --key-file FILE}
 * and the environment variable {@link #ENV}. The key format is that of {@code tipc node set key}: the AES key (16, 24
 * or 32 bytes) followed by a 4-byte salt, as "0x" and hex digits or as text (UTF-8, one key per line; in the variable
 * keys are separated by white space or commas, so a text key there holds neither), see AeadKey.parseKey.
 */
final class KeyFile {
    /** Environment variable holding one key (or several separated by white space or commas). */
    static final String ENV = "JTIPC_KEY";
    /** Largest key file read, bytes (a key line is at most 74 characters; a few keys and comments fit). */
    static final int MAX_BYTES = 64 << 10;

    private KeyFile() {
    }

    /**
     * Reads the keys of {@code file}: one per line; blank lines and lines starting with '#' are skipped.
     *
     * @throws IllegalArgumentException naming the file and line (never the key's bytes) when the file is
     *     missing, not a regular file, unreadable, larger than {@link #MAX_BYTES}, not owned by the current user or
     *     with any group or other permission bit (POSIX file systems, as ssh checks private keys; see
     *     {@link PrivateFile}), holds no key or a line that is not a key
     */
    static List<byte[]> read(Path file) {
        byte[] raw = PrivateFile.read(file, MAX_BYTES, "key file").privateBytes();
        List<byte[]> keys = new ArrayList<>();
        String[] lines = new String(raw, StandardCharsets.UTF_8).split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i].strip();
            if (l.isEmpty() || l.startsWith("#")) continue;
            try {
                keys.add(DissectorOptions.parseKey(l));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("key file " + file + " line " + (i + 1) + ": " + e.getMessage());
            }
        }
        if (keys.isEmpty()) throw new IllegalArgumentException("key file " + file + " holds no key");
        return keys;
    }

    /**
     * The keys of the {@link #ENV} value (null or blank: none).
     *
     * @throws IllegalArgumentException naming the variable (not its value) when a key does not parse
     */
    static List<byte[]> fromEnv(String value) {
        List<byte[]> keys = new ArrayList<>();
        if (value == null || value.isBlank()) return keys;
        for (String k : value.strip().split("[\\s,]+")) {
            try {
                keys.add(DissectorOptions.parseKey(k));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(ENV + ": " + e.getMessage());
            }
        }
        return keys;
    }
}
