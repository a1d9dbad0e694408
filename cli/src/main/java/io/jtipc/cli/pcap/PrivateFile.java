package io.jtipc.cli.pcap;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Set;

/**
 * Files that hold key material (in this package so that io.jtipc.cli, which depends on it, and KeyFile share it
 * without a package cycle) ({@code jtipc pcap --key-file}, a {@code jtipc node --config} file with a
 * {@code key}): read with a size bound, and only if private to the user, as ssh checks a private key: a regular file,
 * owned by the user running the command, with no group or other permission bits. On file systems without POSIX
 * attributes only the regular-file and size checks apply.
 *
 * <p>The file is opened once; the checks are made on the attributes read right after opening and the bytes read
 * are those of the opened file, whose size must match the checked attributes (a file swapped in between is refused).
 * Messages name the file, never its content.
 */
public final class PrivateFile {
    private PrivateFile() {
    }

    /**
     * A file's bytes and, if it is not private to the user, why (null if it is, or the file system has no POSIX
     * attributes).
     */
    public record Content(byte[] bytes, String notPrivate) {
        /** The bytes, if the file is private. @throws IllegalArgumentException with {@link #notPrivate()} */
        public byte[] privateBytes() {
            if (notPrivate != null) throw new IllegalArgumentException(notPrivate);
            return bytes;
        }
    }

    /**
     * Reads at most {@code maxBytes} of {@code file} and checks whether it is private (owner and permissions) from
     * the attributes read right after opening it, so the verdict and the bytes are of the same file.
     *
     * @param what how messages name the file, e.g. "key file"
     * @return the file's bytes and the verdict
     * @throws IllegalArgumentException naming {@code what} and the file: no such file, not a regular file (a FIFO, a
     *                                  device, a directory), larger than {@code maxBytes}, changed while read, or
     *                                  unreadable
     */
    public static Content read(Path file, int maxBytes, String what) {
        String name = what + " " + file;
        // not a FIFO or device: opening a FIFO for reading would block until a writer comes
        if (!Files.isRegularFile(file)) {
            if (!Files.exists(file)) throw new IllegalArgumentException(name + ": no such file");
            throw new IllegalArgumentException(name + " is not a regular file");
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            PosixFileAttributes a = posix(file);
            String notPrivate = null;
            if (a != null) {
                if (!a.isRegularFile()) throw new IllegalArgumentException(name + " is not a regular file");
                notPrivate = notPrivate(file, name, a);
            } else if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException(name + " is not a regular file");
            }
            long size = ch.size();
            if (size > maxBytes) throw new IllegalArgumentException(name + " is larger than " + maxBytes + " bytes");
            if (a != null && a.size() != size) throw new IllegalArgumentException(name + " changed while being read");
            ByteBuffer b = ByteBuffer.allocate(maxBytes + 1);
            while (b.hasRemaining() && ch.read(b) > 0) { }
            if (b.position() > maxBytes) throw new IllegalArgumentException(name + " is larger than " + maxBytes + " bytes");
            byte[] r = Arrays.copyOf(b.array(), b.position());
            Arrays.fill(b.array(), (byte) 0);
            return new Content(r, notPrivate);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(name + ": no such file");
        } catch (IOException e) {
            throw new IllegalArgumentException(name + ": " + e.getMessage());
        }
    }

    private static PosixFileAttributes posix(Path file) throws IOException {
        try {
            return Files.readAttributes(file, PosixFileAttributes.class);
        } catch (UnsupportedOperationException e) {
            return null;
        }
    }

    /** Null if owned by the current user with no group or other permission bit, else why not. */
    private static String notPrivate(Path file, String name, PosixFileAttributes a) {
        Object fileUid = uid(file);
        Object ownUid = uid(Path.of("/proc/self")); // the process's own uid (Linux)
        boolean owned = fileUid != null && ownUid != null ? fileUid.equals(ownUid)
                : a.owner().getName().equals(System.getProperty("user.name"));
        if (!owned) return name + " is not owned by the current user (owner " + a.owner().getName() + ")";
        Set<PosixFilePermission> p = a.permissions();
        for (PosixFilePermission x : p) {
            if (x.name().startsWith("GROUP_") || x.name().startsWith("OTHERS_")) {
                return name + " is accessible by other users (mode " + PosixFilePermissions.toString(p)
                        + "): run 'chmod 600 " + file + "'";
            }
        }
        return null;
    }

    private static Object uid(Path p) {
        try {
            return Files.exists(p) ? Files.getAttribute(p, "unix:uid") : null;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return null;
        }
    }
}
