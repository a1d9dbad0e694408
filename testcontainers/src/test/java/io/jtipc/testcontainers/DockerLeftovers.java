package io.jtipc.testcontainers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** What a test leaves on the Docker host: containers and networks of this module, dockerd's netns, host interfaces. */
final class DockerLeftovers {
    static {
        DockerCleanup.sweepStaleOnce(); // what crashed JVMs left: not this test's doing
    }

    private final Set<String> containersBefore = new TreeSet<>(TipcKernelContainer.leftovers());
    private final Set<String> networksBefore = new TreeSet<>(TipcNetwork.leftovers());
    private final Set<String> netnsBefore = netns();
    private final Set<String> linksBefore = links();

    /**
     * The network namespaces dockerd holds: its bind mounts under {@code /run/docker/netns} (as
     * {@code /proc/self/mountinfo} lists them). A removed container's namespace is unmounted at once; the empty
     * file stays until dockerd's periodic clean-up (libnetwork's garbage paths, every 60 s), so files are not counted.
     */
    static Set<String> netns() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/mountinfo"))) {
            return new TreeSet<>(lines.map(l -> l.split(" ")[4]).filter(m -> m.contains("/docker/netns/")).toList());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The host's network interfaces (a bridge or veth of a network or container left behind shows here). */
    static Set<String> links() {
        try (Stream<Path> s = Files.list(Path.of("/sys/class/net"))) {
            return new TreeSet<>(s.map(p -> p.getFileName().toString()).toList());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Asserts no container or network of this module, no netns and no host interface appeared since this object was
     * made (another JVM's running test may have its own; those present before are not counted).
     */
    void assertClean(TipcNetwork network) {
        Set<String> containers = new TreeSet<>(TipcKernelContainer.leftovers());
        containers.removeAll(containersBefore);
        assertThat(containers).as("containers labelled " + TipcImages.LABEL).isEmpty();
        Set<String> networks = new TreeSet<>(TipcNetwork.leftovers());
        networks.removeAll(networksBefore);
        assertThat(networks).as("networks labelled " + TipcImages.LABEL).isEmpty();
        Set<String> now = netns();
        now.removeAll(netnsBefore);
        assertThat(now).as("network namespaces left (mounted under /run/docker/netns)").isEmpty();
        Set<String> links = links();
        links.removeAll(linksBefore);
        assertThat(links).as("host interfaces left").isEmpty();
        assertThat(Path.of("/sys/class/net", network.bridgeName())).as("the host bridge").doesNotExist();
    }
}
