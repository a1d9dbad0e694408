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

    /** This process's user id (the owner of /proc/self). */
    static int uid() throws IOException {
        return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    }
}
