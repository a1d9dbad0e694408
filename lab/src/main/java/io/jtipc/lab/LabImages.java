package io.jtipc.lab;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.StringReader;
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
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Downloads Debian cloud kernels and builds the lab initramfs for them, cached between runs.
 *
 * <p>The cache lives in {@code $JTIPC_LAB_CACHE}, else {@code $XDG_CACHE_HOME/jtipc-lab}, else
 * {@code ~/.cache/jtipc-lab}. A boot image is keyed by the kernel package's name and Debian version
 * and by a hash of the guest recipe (docker/peer: build script, /init, tipc-agent.c, module list),
 * so a new kernel upload or an agent change builds a new image and an unchanged one is reused. The
 * recipe ships inside this jar (resources {@code io/jtipc/lab/peer/}) and runs as
 * {@code build-lab-image.sh SUITE CACHE} with the host's Debian mirror and a private apt state.
 */
public final class LabImages {
    private static final String[] RECIPE = {"build-lab-image.sh", "init", "tipc-agent.c", "modules.list"};
    private static final long BUILD_TIMEOUT_MIN = 15;

    private final Path cacheDir;
    private final Map<String, String> environment;
    private final ConcurrentHashMap<KernelVersion, BootImage> built = new ConcurrentHashMap<>();

    public LabImages(Path cacheDir) {
        this(cacheDir, Map.of());
    }

    /**
     * @param environment extra environment of the build script: {@code JTIPC_LAB_MIRROR},
     *                    {@code JTIPC_LAB_SECURITY_MIRROR} (Debian mirror URLs, default: the host's apt
     *                    sources), {@code JTIPC_LAB_REFRESH_HOURS} (package list age, default 24)
     */
    public LabImages(Path cacheDir, Map<String, String> environment) {
        this.cacheDir = cacheDir.toAbsolutePath();
        this.environment = Map.copyOf(environment);
    }

    /** The cache of {@code $JTIPC_LAB_CACHE} / {@code $XDG_CACHE_HOME/jtipc-lab} / {@code ~/.cache/jtipc-lab}. */
    public static LabImages defaultCache() {
        return new LabImages(defaultCacheDir());
    }

    public static Path defaultCacheDir() {
        String env = System.getenv("JTIPC_LAB_CACHE");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) {
            return Path.of(xdg, "jtipc-lab");
        }
        return Path.of(System.getProperty("user.home"), ".cache", "jtipc-lab");
    }

    public Path cacheDir() {
        return cacheDir;
    }

    /**
     * Returns the boot image of a kernel line, downloading and building it when the cache has none
     * for the current package version (one build per version per JVM; concurrent JVMs serialise on
     * a lock file).
     *
     * @param progress receives one line per step ("bookworm: downloading ...")
     * @throws LabException stage DOWNLOAD or BUILD, with the build log, when it fails
     */
    public BootImage image(KernelVersion version, Consumer<String> progress) {
        BootImage cached = built.get(version);
        if (cached != null) {
            return cached;
        }
        synchronized (this) {
            cached = built.get(version);
            if (cached == null) {
                cached = build(version, progress);
                built.put(version, cached);
            }
            return cached;
        }
    }

    private BootImage build(KernelVersion version, Consumer<String> progress) {
        Path recipe = extractRecipe();
        List<String> cmd = List.of("bash", recipe.resolve("build-lab-image.sh").toString(), version.debianSuite(),
                cacheDir.toString());
        Process p;
        try {
            Files.createDirectories(cacheDir);
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().putAll(environment);
            p = pb.start();
        } catch (IOException e) {
            throw new LabException(LabException.Stage.PREREQUISITE, "cannot run the image build: " + e.getMessage(), "");
        }
        // the output on a thread of its own: the timeout holds even when the build hangs with its output open
        List<String> log = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.atomic.AtomicReference<String> imageRef = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicReference<String> errorRef = new java.util.concurrent.atomic.AtomicReference<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    log.add(line);
                    if (line.startsWith("LAB-PROGRESS ")) {
                        progress.accept(line.substring("LAB-PROGRESS ".length()));
                    } else if (line.startsWith("LAB-ERROR ")) {
                        errorRef.set(line.substring("LAB-ERROR ".length()));
                    } else if (line.startsWith("IMAGE ")) {
                        imageRef.set(line.substring("IMAGE ".length()).trim());
                    }
                }
            } catch (IOException e) {
                errorRef.compareAndSet(null, "reading the build output failed: " + e.getMessage());
            }
        }, "jtipc-lab-image-build-output");
        reader.setDaemon(true);
        reader.start();
        String error = null;
        try {
            if (!p.waitFor(BUILD_TIMEOUT_MIN, TimeUnit.MINUTES)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                error = "build ran longer than " + BUILD_TIMEOUT_MIN + " minutes";
            } else {
                reader.join(TimeUnit.SECONDS.toMillis(10)); // the rest of the output
                error = errorRef.get();
                if (p.exitValue() != 0 && error == null) error = "build-lab-image.sh exited with " + p.exitValue();
            }
        } catch (InterruptedException e) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            error = "interrupted";
        }
        String imageDir = imageRef.get();
        if (error != null || imageDir == null) {
            String msg = error == null ? "the build printed no image" : error;
            LabException.Stage stage = msg.startsWith("download") || msg.startsWith("mirror") || msg.startsWith("unpack")
                    ? LabException.Stage.DOWNLOAD
                    : msg.startsWith("tools") ? LabException.Stage.PREREQUISITE : LabException.Stage.BUILD;
            throw new LabException(stage, "boot image for kernel " + version + " (" + version.debianSuite() + "): " + msg,
                    "build log:\n" + String.join("\n", List.copyOf(log)));
        }
        Path dir = Path.of(imageDir);
        Properties props = new Properties();
        try {
            props.load(new StringReader(Files.readString(dir.resolve("image.properties"))));
        } catch (IOException e) {
            throw new LabException(LabException.Stage.BUILD, "image " + dir + " has no readable image.properties", e.toString());
        }
        return new BootImage(version, props.getProperty("package"), props.getProperty("version"),
                props.getProperty("kernelRelease"), dir.resolve("vmlinuz"), dir.resolve("initrd.gz"), dir);
    }

    /** Copies the recipe resources to {@code CACHE/recipe/HASH/} (content-addressed, so never stale). */
    private Path extractRecipe() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            List<byte[]> contents = new ArrayList<>();
            for (String name : RECIPE) {
                try (InputStream in = LabImages.class.getResourceAsStream("peer/" + name)) {
                    if (in == null) {
                        throw new LabException(LabException.Stage.BUILD, "lab recipe resource io/jtipc/lab/peer/" + name
                                + " is missing from the classpath (build the lab module with Maven)", "");
                    }
                    byte[] b = in.readAllBytes();
                    contents.add(b);
                    md.update(name.getBytes(StandardCharsets.UTF_8));
                    md.update(b);
                }
            }
            String hash = HexFormat.of().formatHex(md.digest()).substring(0, 16);
            Path dir = cacheDir.resolve("recipe").resolve(hash);
            if (!Files.exists(dir.resolve(".complete"))) {
                Files.createDirectories(dir);
                for (int i = 0; i < RECIPE.length; i++) {
                    Path tmp = Files.createTempFile(dir, RECIPE[i], ".tmp");
                    Files.write(tmp, contents.get(i));
                    Files.move(tmp, dir.resolve(RECIPE[i]), StandardCopyOption.REPLACE_EXISTING,
                            StandardCopyOption.ATOMIC_MOVE);
                }
                Files.writeString(dir.resolve(".complete"), hash);
            }
            return dir;
        } catch (IOException e) {
            throw new LabException(LabException.Stage.BUILD, "cannot write the lab recipe under " + cacheDir, e.toString());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
