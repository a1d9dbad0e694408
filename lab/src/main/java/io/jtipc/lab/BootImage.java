package io.jtipc.lab;

import java.nio.file.Path;

/**
 * A built boot image: a Debian cloud kernel and the lab initramfs made for it.
 *
 * @param version        the kernel line
 * @param packageName    the Debian image package, e.g. {@code linux-image-6.1.0-56-cloud-amd64}
 * @param packageVersion its Debian version, e.g. {@code 6.1.192-2}
 * @param kernelRelease  {@code uname -r} of the guest
 * @param vmlinuz        the kernel
 * @param initrd         the gzip'd newc initramfs (busybox, tipc, tc, tipc-agent, modules, /init)
 * @param directory      the cache directory holding both
 */
public record BootImage(KernelVersion version, String packageName, String packageVersion, String kernelRelease,
                        Path vmlinuz, Path initrd, Path directory) {

    @Override
    public String toString() {
        return version + " (" + packageName + " " + packageVersion + ", " + kernelRelease + ")";
    }
}
