package io.jtipc.cli.control;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a node's control socket lives by default: {@code DIR/IDENTITY.ctl} with DIR {@code $XDG_RUNTIME_DIR/jtipc}
 * when that is set, {@code /run/jtipc} for root, else {@code /tmp/jtipc-UID} (created with mode 0700).
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

    /** The default socket of the node with this identity (characters outside [A-Za-z0-9._-] become '_'). */
    public static Path defaultPath(String identity) throws IOException {
        return defaultDirectory().resolve(identity.replaceAll("[^A-Za-z0-9._-]", "_") + SUFFIX);
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
