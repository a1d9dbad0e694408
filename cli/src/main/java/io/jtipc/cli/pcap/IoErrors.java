package io.jtipc.cli.pcap;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * One-line reasons for I/O failures the commands report: the JDK's {@link FileSystemException}s carry only the path
 * ("jtipc: /x/y.pcapng"), so the reason is spelled out ("no such directory", "permission denied"), naming the file
 * the user gave rather than a temporary one next to it.
 */
public final class IoErrors {
    private IoErrors() { }

    /**
     * @param e    the failure (an {@link java.io.UncheckedIOException} is unwrapped)
     * @param file the file the user named, or null; named instead of the path in {@code e} when both are in the same
     *             directory (a temporary file written next to it)
     * @return for a file-system failure the reason alone if it concerns {@code file} (or a temporary file next to it),
     *         else "PATH: reason"; for any other failure its message (its class if it has none)
     */
    public static String describe(Throwable e, Path file) {
        Throwable c = e instanceof java.io.UncheckedIOException u && u.getCause() != null ? u.getCause() : e;
        if (c instanceof FileSystemException f && f.getFile() != null) {
            Path p = Path.of(f.getFile());
            Path dir0 = p.toAbsolutePath().getParent();
            boolean theirs = file != null && dir0 != null && dir0.equals(file.toAbsolutePath().getParent());
            String why;
            if (c instanceof NoSuchFileException) {
                Path dir = p.toAbsolutePath().getParent();
                why = dir != null && !Files.isDirectory(dir) ? "no such directory " + dir : "no such file";
            } else if (c instanceof AccessDeniedException) {
                why = "permission denied";
            } else if (c instanceof NotDirectoryException) {
                why = "not a directory";
            } else {
                why = f.getReason() != null ? f.getReason() : c.getClass().getSimpleName();
            }
            return theirs ? why : p + ": " + why;
        }
        return c.getMessage() != null ? c.getMessage() : c.toString();
    }
}
