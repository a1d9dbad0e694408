package io.jtipc.cli.control;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.jtipc.api.TipcIdentity;

/**
 * Where a node's control socket lives by default: {@code DIR/IDENTITY.ctl} with DIR {@code $XDG_RUNTIME_DIR/jtipc}
 * when that is set, {@code /run/jtipc} for root, else {@code /tmp/jtipc-UID} (created with mode 0700). IDENTITY is
 * the identity in the form the node shows it ({@link #canonicalIdentity}), so the node and {@code jtipc --node ID}
 * find the same file however the identity was typed.
 */
public final class ControlPaths {
    /** The file name suffix of a control socket. */
    public static final String SUFFIX = ".ctl";

    private ControlPaths() {
    }

    /** The default directory (see the class comment). */
    public static Path defaultDirectory() throws IOException {
        String xdg = System.getenv("XDG_RUNTIME_DIR");
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) return Path.of(xdg, "jtipc");
        int uid = uid();
        return uid == 0 ? Path.of("/run/jtipc") : Path.of("/tmp/jtipc-" + uid);
    }

    /**
     * The identity as the node shows it ({@code node list}, READY): {@link TipcIdentity#canonical}
     * (tipc_nodeid2string), e.g. {@code 00112233445566778899AABBCCDDEEFF} becomes {@code
     * 00112233445566778899aabbccddeeff} and {@code "my node"} (a space is not shown as text) {@code 6d79206e6f6465};
     * a text that is no identity (longer than 32 characters, not hex) is returned as it is.
     */
    public static String canonicalIdentity(String identity) {
        try {
            return TipcIdentity.canonical(identity);
        } catch (IllegalArgumentException e) {
            return identity;
        }
    }

    /**
     * The default socket of the node with this identity: its {@link #canonicalIdentity} plus {@link #SUFFIX}. A
     * canonical identity holds only [A-Za-z0-9._:@-] (else it is shown as hex), so distinct ones never share a file
     * name; other characters (only in a text that is no identity) become '_'. Two identities share a path only if
     * the node shows them alike (the text id "aabb" and the hex id aabb): 'jtipc --node' cannot tell those apart
     * either, and the second node to start finds the socket in use and runs without one.
     */
    public static Path defaultPath(String identity) throws IOException {
        return defaultDirectory().resolve(canonicalIdentity(identity).replaceAll("[^A-Za-z0-9._:@-]", "_") + SUFFIX);
    }

    /**
     * Makes sure the default directory {@code dir} is this user's alone before a socket goes into it: created with
     * mode 0700 if missing; if it exists it must be a directory (not a link) owned by this user with no group or
     * other permission. Otherwise another user who made it first (e.g. {@code /tmp/jtipc-UID}) could swap the socket.
     *
     * @throws IOException the directory exists but is not private, or cannot be created
     */
    public static void ensurePrivate(Path dir) throws IOException {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            try {
                Files.createDirectories(dir, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // made meanwhile: checked below
            }
        }
        checkPrivate(dir);
    }

    /**
     * Checks, without creating anything, that the existing directory {@code dir} is this user's alone: a directory
     * (not a link) owned by this user, no group or other permission (what the client requires of the default
     * directory before it trusts a socket in it).
     *
     * @throws IOException it is missing, not a directory, or not private
     */
    public static void checkPrivate(Path dir) throws IOException {
        if (!Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(dir + " is not a directory");
        }
        int owner = (Integer) Files.getAttribute(dir, "unix:uid", java.nio.file.LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) Files.getAttribute(dir, "unix:mode", java.nio.file.LinkOption.NOFOLLOW_LINKS);
        if (owner != uid() || (mode & 0077) != 0) {
            throw new IOException(dir + " is not private (owner uid " + owner + ", mode " + Integer.toOctalString(mode & 07777)
                + "; want uid " + uid() + ", mode 700)");
        }
    }

    /** This process's user id (the owner of /proc/self). */
    public static int uid() throws IOException {
        return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    }
}
