package io.jtipc.testcontainers;

import java.security.SecureRandom;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Network.Ipam;
import org.junit.runner.Description;
import org.junit.runners.model.Statement;
import org.testcontainers.containers.Network;

/**
 * One Ethernet segment for kernel TIPC nodes ({@link TipcKernelContainer}) and jtipc nodes: a Docker bridge
 * network, {@code --internal} (no route out, no NAT), on a link-local subnet {@code 169.254.N.0/24}
 * (N from 1 to 254 except {@link #RESERVED_THIRD_OCTETS} (cloud metadata services), one no other Docker network uses
 * and the host has no route into ({@code /proc/net/route}, the default route aside)), whose Linux bridge on the Docker host has a fixed
 * name, {@code jtbr-XXXXXXXX} ({@link #bridgeName()}), and the subnet's first address ({@link #gatewayAddress()}).
 *
 * <p>A {@code TipcNode} in the test's JVM joins the segment's TIPC cluster with the bearer {@link #jtipcBearer()}:
 * {@code eth:jtbr-XXXXXXXX}, raw Ethernet (AF_PACKET) on that bridge, which needs CAP_NET_RAW in the Docker
 * host's network namespace (root) and a JVM on the Docker host itself. TIPC frames (ethertype 0x88CA) cross the
 * bridge like any other; Docker's iptables rules for internal networks see only IP.
 *
 * <p>{@link #close()} removes the network (containers must be stopped first). Create it with
 * {@link #newNetwork()}, use it with {@link TipcKernelContainer#withNetwork(Network)} or any Testcontainers
 * container's {@code withNetwork}.
 */
public final class TipcNetwork implements Network {
    /** Prefix of the host bridge's name; 8 hex digits follow (13 characters, within IFNAMSIZ). */
    public static final String BRIDGE_PREFIX = "jtbr-";
    /**
     * Third octets of 169.254.N.0/24 never used: 169.254.169.0/24 (169.254.169.254, the metadata service of most
     * clouds) and 169.254.170.0/24 (169.254.170.2, the ECS task metadata endpoint).
     */
    public static final Set<Integer> RESERVED_THIRD_OCTETS = Set.of(169, 170);
    /** Subnets tried before giving up (each a random free 169.254.N.0/24). */
    private static final int CREATE_ATTEMPTS = 8;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String id;
    private final String name;
    private final String bridge;
    private final String subnet;
    private final String gateway;
    private volatile boolean closed;

    private TipcNetwork(String id, String name, String bridge, String subnet, String gateway) {
        this.id = id;
        this.name = name;
        this.bridge = bridge;
        this.subnet = subnet;
        this.gateway = gateway;
    }

    /**
     * Creates the network (Docker bridge driver, internal, a free link-local /24).
     *
     * @throws IllegalStateException when no free subnet was found or Docker refused
     */
    public static TipcNetwork newNetwork() {
        DockerCleanup.sweepStaleOnce();
        var docker = TipcImages.docker();
        Set<Integer> used = new HashSet<>();
        for (var n : docker.listNetworksCmd().exec()) {
            if (n.getIpam() == null || n.getIpam().getConfig() == null) continue;
            for (Ipam.Config c : n.getIpam().getConfig()) {
                String s = c.getSubnet();
                if (s != null && s.startsWith("169.254.")) {
                    used.add(Integer.parseInt(s.split("\\.")[2]));
                }
            }
        }
        used.addAll(RESERVED_THIRD_OCTETS);
        used.addAll(routedThirdOctets(readRoutes()));
        DockerException last = null;
        for (int attempt = 0; attempt < CREATE_ATTEMPTS; attempt++) {
            List<Integer> free = new java.util.ArrayList<>();
            for (int i = 1; i <= 254; i++) if (!used.contains(i)) free.add(i);
            if (free.isEmpty()) break;
            int n = free.get(RANDOM.nextInt(free.size()));
            byte[] r = new byte[4];
            RANDOM.nextBytes(r);
            String suffix = HexFormat.of().formatHex(r);
            String bridge = BRIDGE_PREFIX + suffix;
            String name = "jtipc-" + suffix;
            String subnet = "169.254." + n + ".0/24";
            String gateway = "169.254." + n + ".1";
            try {
                String id = docker.createNetworkCmd()
                        .withName(name)
                        .withDriver("bridge")
                        .withInternal(true)
                        .withCheckDuplicate(true)
                        .withIpam(new Ipam().withConfig(new Ipam.Config().withSubnet(subnet).withGateway(gateway)))
                        .withOptions(Map.of("com.docker.network.bridge.name", bridge))
                        .withLabels(DockerCleanup.labels("network"))
                        .exec().getId();
                DockerCleanup.registerNetwork(id);
                return new TipcNetwork(id, name, bridge, subnet, gateway);
            } catch (DockerException e) {
                last = e; // most likely: the subnet overlaps one created meanwhile
                used.add(n);
            }
        }
        throw new IllegalStateException("cannot create a link-local Docker network after " + CREATE_ATTEMPTS + " tries"
                + (last == null ? "" : ": " + last.getMessage()), last);
    }

    private static List<String> readRoutes() {
        try {
            return java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/net/route"));
        } catch (java.io.IOException e) {
            return List.of(); // not Linux: Docker's own overlap check still applies
        }
    }

    /**
     * The N of the 169.254.N.0/24 subnets that overlap a route of {@code procNetRoute} (the lines of
     * {@code /proc/net/route}: destination and mask as little-endian hex); routes with mask 0 (default) are ignored.
     */
    static Set<Integer> routedThirdOctets(List<String> procNetRoute) {
        Set<Integer> out = new HashSet<>();
        for (String line : procNetRoute) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 8 || f[0].equals("Iface")) continue;
            int dest;
            int mask;
            try {
                dest = Integer.reverseBytes((int) Long.parseLong(f[1], 16));
                mask = Integer.reverseBytes((int) Long.parseLong(f[7], 16));
            } catch (NumberFormatException e) {
                continue;
            }
            if (mask == 0) continue;
            for (int n = 0; n < 256; n++) {
                int net = 0xA9FE0000 | n << 8; // 169.254.n.0
                int m = mask & 0xFFFFFF00;     // the wider of the two prefixes decides the overlap
                if ((net & m) == (dest & m)) out.add(n);
            }
        }
        return out;
    }

    @Override
    public String getId() {
        return id;
    }

    /** The Docker network's name, {@code jtipc-XXXXXXXX}. */
    public String name() {
        return name;
    }

    /** The Linux bridge of the network on the Docker host, {@code jtbr-XXXXXXXX}. */
    public String bridgeName() {
        return bridge;
    }

    /** The subnet, {@code 169.254.N.0/24}. */
    public String subnet() {
        return subnet;
    }

    /** The bridge's own address on the Docker host, {@code 169.254.N.1}. */
    public String gatewayAddress() {
        return gateway;
    }

    /**
     * The bearer spec ({@code TipcNode.Builder#bearer}, {@code jtipc node --bearer}) that makes a jtipc node in a
     * JVM on the Docker host join this segment's TIPC cluster: {@code eth:BRIDGE} (raw Ethernet on the host's
     * bridge; root or CAP_NET_RAW).
     */
    public String jtipcBearer() {
        return "eth:" + bridge;
    }

    /**
     * The UDP bearer spec that makes a jtipc node on the Docker host join the TIPC cluster of this segment's UDP
     * bearers ({@link TipcKernelContainer#enableUdpBearer}): {@code udp:GATEWAY} (the bridge's own address, port
     * 6118), discovery by multicast to the cluster's group as the kernel's. Needs no privilege.
     */
    public String jtipcUdpBearer() {
        return "udp:" + gateway;
    }

    /** The Docker networks this module made (label {@value TipcImages#LABEL}) that still exist, by name. */
    public static List<String> leftovers() {
        return TipcImages.docker().listNetworksCmd().withFilter("label", List.of(TipcImages.LABEL)).exec().stream()
                .map(com.github.dockerjava.api.model.Network::getName).toList();
    }

    /**
     * Removes the network (idempotent; a network that is already gone is fine). When Docker refuses (409: a container
     * is still attached) the network stays registered, a later {@code close()} tries again, and the JVM's shutdown
     * hook removes it at exit.
     *
     * @throws DockerException when Docker refuses the removal (e.g. {@code ConflictException}: containers still on it)
     * @throws IllegalStateException when Docker cannot be reached
     */
    @Override
    public synchronized void close() {
        if (closed) return;
        try {
            TipcImages.docker().removeNetworkCmd(id).exec();
        } catch (NotFoundException e) {
            // already removed
        }
        closed = true;
        DockerCleanup.unregisterNetwork(id);
    }

    /** JUnit 4 rule: the network for the statement, removed after it. */
    @Override
    public Statement apply(Statement base, Description description) {
        return new Statement() {
            @Override
            public void evaluate() throws Throwable {
                try {
                    base.evaluate();
                } finally {
                    close();
                }
            }
        };
    }

    @Override
    public String toString() {
        return name + " (" + subnet + ", bridge " + bridge + ")";
    }
}
