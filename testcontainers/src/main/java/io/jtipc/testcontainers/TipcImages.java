package io.jtipc.testcontainers;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.BuildImageResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;

import io.jtipc.lab.BootImage;
import io.jtipc.lab.KernelVersion;
import io.jtipc.lab.LabImages;

/**
 * The Docker images of jtipc's tests, built from Debian packages on the Docker host without any registry
 * pull, each tagged with a hash of what it is built from (an unchanged recipe is never built twice; the
 * daemon keeps them between runs):
 * <ul>
 *   <li>{@value #BASE_REPOSITORY}{@code :SUITE-HASH}: a Debian root file system made by {@code debootstrap
 *       --variant=minbase} on this host (root and the {@code debootstrap} package needed) and
 *       imported ({@code FROM scratch}, {@code ADD rootfs.tar /}); recipe {@code docker/base/};</li>
 *   <li>{@value #KERNEL_PEER_REPOSITORY}{@code :VERSION-HASH}: {@code docker/kernel-peer}: qemu from Debian,
 *       the lab's boot image of one kernel line ({@link LabImages}: Debian's cloud kernel and the lab
 *       initramfs with busybox, iproute2's {@code tipc}, the {@code tipc-agent}), the agent also for the
 *       container itself (native mode; compiled here with {@code gcc -static} from the lab's
 *       {@code tipc-agent.c});</li>
 *   <li>{@value #JTIPC_REPOSITORY}{@code :HASH}: {@code docker/jtipc}: the CLI's runnable jar on Debian's
 *       {@code openjdk-17-jre-headless}.</li>
 * </ul>
 * The {@code docker build}s run {@code apt-get} against the base's Debian mirror (the host's), so the
 * daemon's default bridge must reach it. Work files go under {@code LabImages.defaultCacheDir()/docker}.
 */
public final class TipcImages {
    private static final Logger LOG = LoggerFactory.getLogger(TipcImages.class);
    /** Repository of the Debian base image. */
    public static final String BASE_REPOSITORY = "jtipc/debian-base";
    /** Repository of the kernel TIPC node images. */
    public static final String KERNEL_PEER_REPOSITORY = "jtipc/kernel-peer";
    /** Repository of the jtipc CLI/node images. */
    public static final String JTIPC_REPOSITORY = "jtipc/jtipc";
    /** Debian suite of the base image: the project's baseline (Debian 12). */
    public static final String BASE_SUITE = "bookworm";
    /** Longest run of the base's debootstrap, minutes. */
    private static final long DEBOOTSTRAP_TIMEOUT_MIN = 20;
    /** Label on every image, container and network this module makes (for a sweep after a crashed run). */
    public static final String LABEL = "io.jtipc.testcontainers";

    private static final String RESOURCES = "/io/jtipc/testcontainers/docker/";
    private static final Map<String, String> BUILT = new ConcurrentHashMap<>();

    private TipcImages() {
    }

    /**
     * The Debian base image, {@value #BASE_REPOSITORY}{@code :bookworm-HASH}; built (debootstrap +
     * import, about 30 s to a few minutes, by the mirror's speed) when the daemon has no such tag.
     *
     * @return the image's name with tag
     * @throws IllegalStateException when debootstrap or the import fails (with the script's output)
     */
    public static synchronized String baseImage() {
        return cached("base", () -> {
            byte[] script = resource("base/build-base.sh");
            String tag = BASE_REPOSITORY + ":" + BASE_SUITE + "-" + hash(List.of(script, resource("base/Dockerfile"), BASE_SUITE.getBytes(StandardCharsets.UTF_8)));
            if (exists(tag)) return tag;
            // a directory of this build's own: two JVMs building at once never share the tar or the context
            Path dir = tempDir(workDir("base"));
            Path sh = write(dir.resolve("build-base.sh"), script);
            Path tar = dir.resolve("rootfs.tar");
            run(List.of("bash", sh.toString(), BASE_SUITE, tar.toString()), DEBOOTSTRAP_TIMEOUT_MIN, "debootstrap of the base image");
            // the import: FROM scratch + ADD of the tar (docker-java's image import truncates large streams)
            write(dir.resolve("Dockerfile"), resource("base/Dockerfile"));
            try {
                build(dir, null, tag);
            } finally {
                deleteTree(dir);
            }
            if (!exists(tag)) throw new IllegalStateException("docker import of " + tar + " did not create " + tag);
            return tag;
        });
    }

    /**
     * The kernel-peer image of one kernel line, {@value #KERNEL_PEER_REPOSITORY}{@code :VERSION-HASH},
     * built when absent (the boot image comes from {@link LabImages#defaultCache()}, built there when absent).
     *
     * @throws IllegalStateException when a build step fails
     */
    public static synchronized String kernelPeerImage(KernelVersion version) {
        return cached("kernel-peer-" + version.label(), () -> {
            String base = baseImage();
            BootImage boot = LabImages.defaultCache().image(version, line -> LOG.info("lab image: {}", line));
            byte[] dockerfile = resource("kernel-peer/Dockerfile");
            byte[] entry = resource("kernel-peer/entrypoint.sh");
            byte[] exec = resource("kernel-peer/tipc-node-exec");
            byte[] agentSource = labResource("tipc-agent.c");
            String tag = KERNEL_PEER_REPOSITORY + ":" + version.label() + "-" + hash(List.of(dockerfile, entry, exec, agentSource,
                    base.getBytes(StandardCharsets.UTF_8), boot.directory().toString().getBytes(StandardCharsets.UTF_8)));
            if (exists(tag)) return tag;
            Path ctx = workDir("kernel-peer-" + version.label());
            write(ctx.resolve("Dockerfile"), dockerfile);
            write(ctx.resolve("entrypoint.sh"), entry).toFile().setExecutable(true, false);
            write(ctx.resolve("tipc-node-exec"), exec).toFile().setExecutable(true, false);
            Path src = write(ctx.resolve("tipc-agent.c"), agentSource);
            run(List.of("gcc", "-static", "-O2", "-Wall", "-o", ctx.resolve("tipc-agent").toString(), src.toString()), 5,
                    "gcc -static tipc-agent.c (packages gcc, libc6-dev, linux-libc-dev)");
            copy(boot.vmlinuz(), ctx.resolve("vmlinuz"));
            copy(boot.initrd(), ctx.resolve("initrd.gz"));
            build(ctx, base, tag);
            return tag;
        });
    }

    /**
     * The jtipc CLI/node image, {@value #JTIPC_REPOSITORY}{@code :HASH}, of a runnable jar (the cli module's
     * {@code target/jtipc.jar}), built when absent. HASH covers the jar's bytes (each build of the cli makes a new
     * one), so after a build the older {@value #JTIPC_REPOSITORY} images with the label {@value #LABEL} that no
     * container uses are removed.
     *
     * @throws IllegalStateException when the base image or the build fails, or Docker cannot be reached
     * @throws UncheckedIOException  when the jar cannot be read or the build context cannot be written
     */
    public static synchronized String jtipcImage(Path runnableJar) {
        byte[] jar = read(runnableJar);
        byte[] dockerfile = resource("jtipc/Dockerfile");
        String base = baseImage();
        String tag = JTIPC_REPOSITORY + ":" + hash(List.of(dockerfile, jar, base.getBytes(StandardCharsets.UTF_8)));
        return cached(tag, () -> {
            if (exists(tag)) return tag;
            Path ctx = workDir("jtipc");
            write(ctx.resolve("Dockerfile"), dockerfile);
            write(ctx.resolve("jtipc.jar"), jar);
            build(ctx, base, tag);
            pruneOlder(JTIPC_REPOSITORY, tag);
            return tag;
        });
    }

    /**
     * The image of {@code key} this JVM already has, else {@code build}'s (callers hold the class lock, so builds
     * never run twice at once; a plain get/put: a build nests another, which {@code computeIfAbsent} forbids).
     */
    private static String cached(String key, java.util.function.Supplier<String> build) {
        String tag = BUILT.get(key);
        if (tag == null) {
            tag = build.get();
            BUILT.put(key, tag);
        }
        return tag;
    }

    /**
     * Testcontainers' Docker client.
     *
     * @throws IllegalStateException when no Docker daemon answers (the message says how to start one)
     */
    static DockerClient docker() {
        try {
            return DockerClientFactory.instance().client();
        } catch (IllegalStateException e) {
            throw new IllegalStateException("no Docker daemon answers (as root, bin/setup starts dockerd; "
                    + "`docker info` must work): " + e.getMessage(), e);
        }
    }

    private static boolean exists(String tag) {
        try {
            docker().inspectImageCmd(tag).exec();
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }

    private static void build(Path context, String base, String tag) {
        LOG.info("docker build {} from {}", tag, context);
        var cmd = docker().buildImageCmd(context.toFile());
        if (base != null) cmd.withBuildArg("BASE", base);
        String id = cmd
                .withTags(Set.of(tag))
                .withLabels(Map.of(LABEL, "image"))
                .withPull(false)
                .withRemove(true)
                .withForcerm(true) // also the intermediate containers of a failed step
                .exec(new BuildImageResultCallback())
                .awaitImageId(30, TimeUnit.MINUTES);
        if (id == null || !exists(tag)) throw new IllegalStateException("docker build of " + tag + " gave no image");
    }

    /**
     * Runs {@code cmd}, its output read on a thread of its own so that the timeout holds even when the process hangs
     * without closing its output; on expiry it and its descendants are killed.
     *
     * @throws IllegalStateException when it cannot start, exits non-zero (with its output), runs past
     *                               {@code timeoutMin} minutes or the wait is interrupted
     */
    private static void run(List<String> cmd, long timeoutMin, String what) {
        List<String> out = java.util.Collections.synchronizedList(new ArrayList<>());
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IllegalStateException(what + ": cannot run " + cmd.get(0) + ": " + e.getMessage(), e);
        }
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    out.add(line);
                    if (line.startsWith("BASE-PROGRESS ")) LOG.info("{}", line.substring(14));
                }
            } catch (IOException e) {
                out.add("(reading the output failed: " + e.getMessage() + ")");
            }
        }, "jtipc-image-build-output");
        reader.setDaemon(true);
        reader.start();
        try {
            if (!p.waitFor(timeoutMin, TimeUnit.MINUTES)) {
                kill(p);
                throw new IllegalStateException(what + " ran longer than " + timeoutMin + " minutes:\n" + String.join("\n", List.copyOf(out)));
            }
            reader.join(TimeUnit.SECONDS.toMillis(10)); // the rest of the output (a background child may hold it open)
            if (p.exitValue() != 0) {
                throw new IllegalStateException(what + " failed (exit " + p.exitValue() + "):\n" + String.join("\n", List.copyOf(out)));
            }
        } catch (InterruptedException e) {
            kill(p);
            Thread.currentThread().interrupt();
            throw new IllegalStateException(what + ": interrupted", e);
        }
    }

    private static void kill(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }

    /** Removes the images of {@code repository} labelled {@value #LABEL} other than {@code keep}; one in use stays. */
    private static void pruneOlder(String repository, String keep) {
        for (var img : docker().listImagesCmd().withReferenceFilter(repository).withLabelFilter(LABEL).exec()) {
            String[] tags = img.getRepoTags();
            if (tags == null || java.util.Arrays.asList(tags).contains(keep)) continue;
            for (String t : tags) {
                if (!t.startsWith(repository + ":")) continue;
                try {
                    docker().removeImageCmd(t).exec();
                    LOG.info("removed the older image {}", t);
                } catch (com.github.dockerjava.api.exception.DockerException e) {
                    LOG.debug("kept {}: {}", t, e.getMessage()); // a container uses it
                }
            }
        }
    }

    private static Path tempDir(Path parent) {
        try {
            return Files.createTempDirectory(parent, "build-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory in " + parent, e);
        }
    }

    private static void deleteTree(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a leftover work directory is harmless
        }
    }

    private static Path workDir(String name) {
        Path dir = LabImages.defaultCacheDir().resolve("docker").resolve(name);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        return dir;
    }

    private static byte[] resource(String name) {
        try (InputStream in = TipcImages.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) throw new IllegalStateException("resource " + RESOURCES + name + " is missing (build the module with Maven)");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] labResource(String name) {
        try (InputStream in = LabImages.class.getResourceAsStream("/io/jtipc/lab/peer/" + name)) {
            if (in == null) throw new IllegalStateException("lab resource io/jtipc/lab/peer/" + name + " is missing");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static Path write(Path file, byte[] content) {
        try {
            Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
            Files.write(tmp, content);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static void copy(Path from, Path to) {
        try {
            Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + from, e);
        }
    }

    private static String hash(List<byte[]> parts) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (byte[] p : parts) {
                md.update(Integer.toString(p.length).getBytes(StandardCharsets.UTF_8));
                md.update(p);
            }
            return HexFormat.of().formatHex(md.digest()).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
