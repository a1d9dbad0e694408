package io.jtipc.testcontainers;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import com.github.dockerjava.api.exception.DockerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Clean-up of this module's containers and networks without Ryuk (which needs a registry pull): every one is labelled
 * {@value #OWNER_LABEL}{@code =PID@BOOT_ID} (the JVM that made it), registered while it exists and removed by a
 * JVM shutdown hook if the test did not; and once per JVM, before the first network or container, the labelled ones of
 * JVMs that no longer run (their PID gone on this boot, another boot, or no owner label) are removed. Those of other
 * running JVMs are left alone.
 */
final class DockerCleanup {
    private static final Logger LOG = LoggerFactory.getLogger(DockerCleanup.class);
    /** Label naming the JVM that made a container or network: {@code PID@BOOT_ID}. */
    static final String OWNER_LABEL = TipcImages.LABEL + ".owner";
    /** This JVM's owner value. */
    static final String OWNER = ProcessHandle.current().pid() + "@" + bootId();
    private static final Set<String> CONTAINERS = ConcurrentHashMap.newKeySet();
    private static final Set<String> NETWORKS = ConcurrentHashMap.newKeySet();
    private static boolean swept;
    private static boolean hooked;

    private DockerCleanup() {
    }

    /** Labels of a container or network this JVM makes. */
    static Map<String, String> labels(String kind) {
        return Map.of(TipcImages.LABEL, kind, OWNER_LABEL, OWNER);
    }

    static void registerContainer(String id) {
        hook();
        CONTAINERS.add(id);
    }

    static void unregisterContainer(String id) {
        if (id != null) CONTAINERS.remove(id);
    }

    static void registerNetwork(String id) {
        hook();
        NETWORKS.add(id);
    }

    static void unregisterNetwork(String id) {
        NETWORKS.remove(id);
    }

    private static synchronized void hook() {
        if (hooked) return;
        hooked = true;
        Runtime.getRuntime().addShutdownHook(new Thread(DockerCleanup::removeRegistered, "jtipc-docker-cleanup"));
    }

    /** Removes what this JVM registered and did not remove itself (the shutdown hook; containers first). */
    static void removeRegistered() {
        var docker = TipcImages.docker();
        for (String id : List.copyOf(CONTAINERS)) {
            try {
                docker.removeContainerCmd(id).withForce(true).withRemoveVolumes(true).exec();
            } catch (DockerException | IllegalStateException e) {
                // gone already, or the daemon is unreachable: nothing more to do at exit
            }
            CONTAINERS.remove(id);
        }
        for (String id : List.copyOf(NETWORKS)) {
            try {
                docker.removeNetworkCmd(id).exec();
            } catch (DockerException | IllegalStateException e) {
                // as above
            }
            NETWORKS.remove(id);
        }
    }

    /**
     * Once per JVM: removes the labelled containers, then networks, whose owner JVM no longer runs.
     *
     * @throws IllegalStateException when Docker cannot be reached
     */
    static synchronized void sweepStaleOnce() {
        if (swept) return;
        swept = true;
        var docker = TipcImages.docker();
        for (var c : docker.listContainersCmd().withShowAll(true).withLabelFilter(List.of(TipcImages.LABEL)).exec()) {
            String owner = c.getLabels() == null ? null : c.getLabels().get(OWNER_LABEL);
            if (!stale(owner)) continue;
            LOG.warn("removing stale container {} {} (owner {} gone)", c.getId(), List.of(c.getNames()), owner);
            try {
                docker.removeContainerCmd(c.getId()).withForce(true).withRemoveVolumes(true).exec();
            } catch (DockerException e) {
                LOG.warn("cannot remove stale container {}: {}", c.getId(), e.getMessage());
            }
        }
        for (var n : docker.listNetworksCmd().withFilter("label", List.of(TipcImages.LABEL)).exec()) {
            String owner = n.getLabels() == null ? null : n.getLabels().get(OWNER_LABEL);
            if (!stale(owner)) continue;
            LOG.warn("removing stale network {} (owner {} gone)", n.getName(), owner);
            try {
                docker.removeNetworkCmd(n.getId()).exec();
            } catch (DockerException e) {
                LOG.warn("cannot remove stale network {}: {}", n.getName(), e.getMessage());
            }
        }
    }

    /** Whether {@code owner} ({@code PID@BOOT_ID}, or null) names a JVM that no longer runs on this host. */
    static boolean stale(String owner) {
        if (owner == null || owner.equals(OWNER)) return owner == null;
        int at = owner.indexOf('@');
        if (at < 1 || !owner.substring(at + 1).equals(bootId())) return true; // malformed, or made before a reboot
        try {
            return ProcessHandle.of(Long.parseLong(owner.substring(0, at))).map(p -> !p.isAlive()).orElse(true);
        } catch (NumberFormatException e) {
            return true;
        }
    }

    private static String bootId() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).trim();
        } catch (Exception e) {
            return "unknown";
        }
    }
}
