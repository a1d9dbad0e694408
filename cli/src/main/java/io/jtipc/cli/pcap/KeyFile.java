package io.jtipc.cli.pcap;

import io.jtipc.capture.DissectorOptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Decryption keys kept off the command line (where {@code ps} shows them to every user): {@code --key-file FILE}
 * and the environment variable {@link #ENV}. The key format is that of {@code tipc node set key}: hex of the AES
 * key (16, 24 or 32 bytes) followed by a 4-byte salt, optional {@code 0x}.
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
     *     missing, unreadable, larger than {@link #MAX_BYTES}, readable or writable by group or others (POSIX
     *     file systems, as ssh checks private keys), holds no key or a line that is not a key
     */
    static List<byte[]> read(Path file) {
        byte[] raw;
        try {
            PosixFileAttributeView v = Files.getFileAttributeView(file, PosixFileAttributeView.class);
            if (v != null) {
                Set<PosixFilePermission> p = v.readAttributes().permissions();
                if (p.contains(PosixFilePermission.GROUP_READ) || p.contains(PosixFilePermission.OTHERS_READ)
                        || p.contains(PosixFilePermission.GROUP_WRITE) || p.contains(PosixFilePermission.OTHERS_WRITE)) {
                    throw new IllegalArgumentException("key file " + file + " is accessible by other users (mode "
                            + PosixFilePermissions.toString(p) + "): run 'chmod 600 " + file + "'");
                }
            }
            if (!Files.isRegularFile(file)) throw new IllegalArgumentException("key file " + file + " is not a regular file");
            if (Files.size(file) > MAX_BYTES) {
                throw new IllegalArgumentException("key file " + file + " is larger than " + MAX_BYTES + " bytes");
            }
            raw = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("key file " + file + ": no such file");
        } catch (IOException e) {
            throw new IllegalArgumentException("key file " + file + ": " + e.getMessage());
        }
        List<byte[]> keys = new ArrayList<>();
        String[] lines = new String(raw, StandardCharsets.US_ASCII).split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i].strip();
            if (l.isEmpty() || l.startsWith("#")) continue;
            try {
                keys.add(DissectorOptions.parseKeyHex(l));
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
                keys.add(DissectorOptions.parseKeyHex(k));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(ENV + ": " + e.getMessage());
            }
        }
        return keys;
    }
}
