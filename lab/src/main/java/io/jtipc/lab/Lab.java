package io.jtipc.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The kernel TIPC lab: a network namespace the lab creates, a Linux bridge in it, and on that bridge
 * kernel TIPC nodes ({@link KernelNode}, Debian kernels under qemu TCG, one tap each) and veth ports
 * for jtipc nodes ({@link Veth}). Nothing is routed out of the namespace; the subnet
 * {@code 10.99.0.0/24} exists only inside it (kernel nodes {@code .11}, {@code .12}, ..., veths
 * {@code .101}, ...).
 *
 * <p>{@link #close()} kills every qemu and tcpdump the lab started and deletes the namespace (with
 * its bridge, taps and veths); it also runs from a JVM shutdown hook, and a new lab deletes
 * namespaces left by labs of JVMs that died. Needs root.
 *
 * <pre>{@code
 * try (Lab lab = Lab.create(LabOptions.defaults("demo"))) {
 *     List<KernelNode> nodes = lab.bootCluster(KernelVersion.V6_1, KernelVersion.V6_1);
 *     nodes.get(1).startAgent("rdm-echo", "1000", "1").awaitReady(Duration.ofSeconds(10));
 *     nodes.get(0).agent(Duration.ofSeconds(30), "rdm-ping", "1000", "1", "10", "100").requireOk();
 * }
 * }</pre>
 */
public final class Lab implements AutoCloseable {
    /** Prefix of every lab namespace: {@code jtipc-lab-PID-N}. */
    public static final String NETNS_PREFIX = "jtipc-lab-";
    private static final String SUBNET = "10.99.0.";
    /** Bridges a lab can have: {@code br0} (made by {@link #create}) and up to 3 more on demand ({@link #bridge(int)}). */
    public static final int MAX_BRIDGES = 4;
    private static final int PREFIX = 24;
    private static final AtomicInteger LABS = new AtomicInteger();
    private static final Set<Lab> OPEN = ConcurrentHashMap.newKeySet();
    private static final Pattern NS_NAME = Pattern.compile(Pattern.quote(NETNS_PREFIX) + "(\\d+)-\\d+");

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (Lab lab : List.copyOf(OPEN)) {
                lab.close();
            }
        }, "jtipc-lab-shutdown"));
    }

    private final LabOptions options;
    private final String netns;
    private final Path socketDir;
    private final Map<String, KernelNode> nodes = Collections.synchronizedMap(new LinkedHashMap<>());
    private final Map<String, Veth> veths = Collections.synchronizedMap(new LinkedHashMap<>());
    private final List<PacketCapture> captures = Collections.synchronizedList(new ArrayList<>());
    private final List<NetnsProcess> processes = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger nodeCounter = new AtomicInteger();
    private final AtomicInteger vethCounter = new AtomicInteger();
    private final Set<Integer> bridges = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private Lab(LabOptions options, String netns, Path socketDir) {
        this.options = options;
        this.netns = netns;
        this.socketDir = socketDir;
    }

    /** Why the lab cannot run on this host (not root, missing tools), or empty. */
    public static Optional<String> unavailableReason() {
        return Host.unavailableReason();
    }

    /**
     * Creates the namespace and its bridge.
     *
     * @throws LabException stage PREREQUISITE (with the reason) or NETWORK
     */
    public static Lab create(LabOptions options) {
        Optional<String> why = unavailableReason();
        if (why.isPresent()) {
            throw new LabException(LabException.Stage.PREREQUISITE, why.get(), "");
        }
        removeStaleNamespaces();
        String ns = NETNS_PREFIX + ProcessHandle.current().pid() + "-" + LABS.incrementAndGet();
        Path sockets;
        try {
            Files.createDirectories(options.workDir());
            sockets = Files.createTempDirectory("jtipc-lab-");
        } catch (IOException e) {
            throw new LabException(LabException.Stage.NETWORK, "cannot create work directories: " + e.getMessage(), "");
        }
        Lab lab = new Lab(options, ns, sockets);
        OPEN.add(lab);
        try {
            Host.check(LabException.Stage.NETWORK, "creating the lab namespace", "ip", "netns", "add", ns);
            lab.nsCheck("loopback", "ip", "link", "set", "lo", "up");
            lab.nsCheck("bridge", "ip", "link", "add", "br0", "type", "bridge", "forward_delay", "0", "stp_state", "0");
            // IPv6 autoconfiguration would add router solicitations to every capture
            lab.nsRun("sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1");
            lab.nsRun("sysctl", "-q", "-w", "net.ipv6.conf.default.disable_ipv6=1");
            lab.nsCheck("bridge up", "ip", "link", "set", "br0", "up");
        } catch (RuntimeException e) {
            lab.close();
            throw e;
        }
        return lab;
    }

    /** Creates a lab with {@link LabOptions#defaults(String)}. */
    public static Lab create(String name) {
        return create(LabOptions.defaults(name));
    }

    public LabOptions options() {
        return options;
    }

    /** The lab's network namespace (for {@code ip netns exec}). */
    public String netns() {
        return netns;
    }

    /**
     * {@code /run/netns/NETNS}: a thread that calls {@code setns(open(this), CLONE_NEWNET)} (e.g. through
     * jnr-ffi) enters the lab namespace, and sockets it opens there (AF_PACKET on a {@link Veth}, UDP on
     * its address) stay in it. The other way in is a process under {@link #inNetns}.
     */
    public Path netnsPath() {
        return Path.of("/run/netns", netns);
    }

    /** The bridge every node is on. */
    public String bridge() {
        return "br0";
    }

    /**
     * Bridge {@code brI}, created (up, no STP) on first use: a second, separate segment for nodes with two
     * bearers, subnet {@code 10.99.I.0/24}. Nothing connects two bridges. {@code bridge(0)} is {@link #bridge()}.
     *
     * @param index 0 to {@link #MAX_BRIDGES} - 1
     * @throws LabException stage NETWORK when the bridge cannot be made
     */
    public synchronized String bridge(int index) {
        ensureOpen();
        if (index < 0 || index >= MAX_BRIDGES) {
            throw new IllegalArgumentException("bridge index must be 0.." + (MAX_BRIDGES - 1) + ": " + index);
        }
        String br = "br" + index;
        if (index > 0 && bridges.add(index)) {
            nsCheck("bridge " + br, "ip", "link", "add", br, "type", "bridge", "forward_delay", "0", "stp_state", "0");
            nsCheck("bridge " + br + " up", "ip", "link", "set", br, "up");
        }
        return br;
    }

    /** The IPv4 prefix of bridge {@code index}'s subnet, e.g. {@code 10.99.1.}. */
    static String subnet(int index) {
        return "10.99." + index + ".";
    }

    /**
     * Takes an interface of the lab namespace down or up ({@code ip link set IF down|up}): a {@link Veth}'s jtipc
     * end (the jtipc side of a link cut: its AF_PACKET socket stops sending and receiving) or a kernel node's tap
     * (the wire of a guest NIC cut on the host side, the guest's interface stays up).
     *
     * @throws LabException stage NETWORK when {@code ip} fails (e.g. no such interface)
     */
    public void setInterfaceUp(String ifname, boolean up) {
        ensureOpen();
        nsCheck((up ? "up " : "down ") + ifname, "ip", "link", "set", ifname, up ? "up" : "down");
    }

    public Path workDir() {
        return options.workDir();
    }

    /** The kernel nodes booted so far, in boot order. */
    public List<KernelNode> nodes() {
        synchronized (nodes) {
            return List.copyOf(nodes.values());
        }
    }

    /** {@code ip netns exec NETNS COMMAND...}. */
    public List<String> inNetns(String... command) {
        List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", netns));
        c.addAll(Arrays.asList(command));
        return c;
    }

    // ---- kernel nodes --------------------------------------------------------------------------

    /** Downloads/builds the image if needed and boots one kernel node named {@code nK}. */
    public KernelNode boot(KernelVersion version) {
        return boot(version, null);
    }

    /**
     * Boots one kernel node; blocks until its control server answers and tipc.ko is loaded. TIPC
     * itself is left unconfigured (no identity, no bearer): see {@link #bootCluster}.
     *
     * @param name host name, also the directory of its logs; null for {@code nK}
     * @throws LabException stage DOWNLOAD/BUILD/BOOT/MODULE_LOAD with the console tail
     */
    public KernelNode boot(KernelVersion version, String name) {
        return boot(version, name, Map.of());
    }

    /**
     * Boots one kernel node with files handed to the guest through qemu's fw_cfg: file {@code F} under
     * key {@code K} reads in the guest as {@link KernelNode#fwCfgPath(String) /sys/firmware/qemu_fw_cfg/by_name/opt/jtipc/K/raw}
     * (keys, scripts, configuration).
     */
    public KernelNode boot(KernelVersion version, String name, Map<String, Path> fwCfgFiles) {
        ensureOpen();
        return start(prepare(options.images().image(version, options.progress()), name, fwCfgFiles));
    }

    /**
     * Boots one kernel node with {@code nics} virtio NICs: {@code ethJ} on {@link #bridge(int) bridge J} (created when
     * missing), each with its own tap, MAC ({@code 52:54:00:4a:0J:K}) and address ({@code 10.99.J.(10+K)}); see
     * {@link KernelNode#nics()}. TIPC is left unconfigured.
     *
     * @param nics 1 to {@link #MAX_BRIDGES}
     */
    public KernelNode boot(KernelVersion version, String name, int nics) {
        return boot(version, name, nics, List.of());
    }

    /**
     * {@link #boot(KernelVersion, String, int)} with extra kernel command line words, e.g.
     * {@code jtipc.modopt=virtio_net:napi_tx=0} (the guest's /init passes {@code PARAM=VALUE} to the insmod of
     * {@code MODULE}).
     *
     * @param kernelArgs words of {@code [A-Za-z0-9_.:=,-]}, each at most 100 characters
     */
    public KernelNode boot(KernelVersion version, String name, int nics, List<String> kernelArgs) {
        ensureOpen();
        if (nics < 1 || nics > MAX_BRIDGES) {
            throw new IllegalArgumentException("nics must be 1.." + MAX_BRIDGES + ": " + nics);
        }
        for (String a : kernelArgs) {
            if (!a.matches("[A-Za-z0-9_.:=,-]{1,100}")) {
                throw new IllegalArgumentException("kernel argument must be 1-100 of [A-Za-z0-9_.:=,-]: " + a);
            }
        }
        KernelNode n = prepare(options.images().image(version, options.progress()), name, Map.of(), nics);
        n.kernelArgs(kernelArgs);
        return start(n);
    }

    /**
     * Boots a node from a given image instead of the cache's image of a kernel line (a custom or a
     * deliberately broken one: tests of the lab itself).
     */
    public KernelNode boot(BootImage image, String name) {
        return start(prepare(image, name, Map.of()));
    }

    /** Allocates a node's index, tap, MAC and address (sequentially, so names follow call order). */
    private KernelNode prepare(BootImage image, String name, Map<String, Path> files) {
        return prepare(image, name, files, 1);
    }

    private KernelNode prepare(BootImage image, String name, Map<String, Path> files, int nicCount) {
        for (Map.Entry<String, Path> f : files.entrySet()) {
            if (!f.getKey().matches("[A-Za-z0-9_.-]{1,40}") || !Files.isReadable(f.getValue())) {
                throw new IllegalArgumentException("fw_cfg file " + f.getKey() + " -> " + f.getValue()
                        + ": key must be 1-40 of [A-Za-z0-9_.-], the file readable");
            }
        }
        ensureOpen();
        int k = nodeCounter.incrementAndGet();
        if (k > 80) {
            throw new IllegalStateException("at most 80 kernel nodes per lab");
        }
        String n = name == null ? "n" + k : name;
        if (!n.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,31}")) {
            throw new IllegalArgumentException("node name must be 1-32 of [A-Za-z0-9_.-]: " + n);
        }
        String tap = "tap" + k;
        nsCheck("tap for " + n, "ip", "tuntap", "add", "dev", tap, "mode", "tap");
        nsCheck("tap for " + n, "ip", "link", "set", tap, "master", "br0", "up");
        String mac = String.format("52:54:00:4a:00:%02x", k);
        List<KernelNode.Nic> nics = new ArrayList<>();
        nics.add(new KernelNode.Nic("eth0", tap, mac, SUBNET + (10 + k), PREFIX, "br0"));
        for (int j = 1; j < nicCount; j++) {
            String br = bridge(j);
            String t = "tap" + k + "x" + j;
            nsCheck("tap for " + n, "ip", "tuntap", "add", "dev", t, "mode", "tap");
            nsCheck("tap for " + n, "ip", "link", "set", t, "master", br, "up");
            nics.add(new KernelNode.Nic("eth" + j, t, String.format("52:54:00:4a:%02x:%02x", j, k),
                    subnet(j) + (10 + k), PREFIX, br));
        }
        Path dir = options.workDir().resolve(n);
        KernelNode node = new KernelNode(this, n, image, nics, dir, socketDir.resolve(n + ".sock"), files);
        synchronized (nodes) {
            if (nodes.containsKey(n)) {
                throw new IllegalArgumentException("a node named " + n + " exists");
            }
            nodes.put(n, node);
        }
        return node;
    }

    private KernelNode start(KernelNode node) {
        ensureOpen();
        options.progress().accept(node.name() + ": booting " + node.image());
        node.boot(options.bootTimeout());
        options.progress().accept(node.name() + ": up in " + node.bootMillis() + " ms (" + node.kernelRelease() + ")");
        return node;
    }

    /**
     * Boots several nodes at once (2 at a time, the machine's cores), images first; the nodes are
     * named in the order of {@code versions} and returned in that order.
     */
    public List<KernelNode> bootAll(KernelVersion... versions) {
        List<KernelNode> prepared = new ArrayList<>();
        for (KernelVersion v : versions) {
            prepared.add(prepare(options.images().image(v, options.progress()), null, Map.of()));
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(2, Math.max(1, versions.length)));
        try {
            List<Future<KernelNode>> fs = new ArrayList<>();
            for (KernelNode n : prepared) {
                fs.add(pool.submit(() -> start(n)));
            }
            LabException first = null;
            for (Future<KernelNode> f : fs) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    if (first == null) {
                        first = e.getCause() instanceof LabException le ? le
                                : new LabException(LabException.Stage.BOOT, "boot failed: " + e.getCause(), "", e.getCause());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new LabException(LabException.Stage.BOOT, "interrupted while booting", "");
                }
            }
            if (first != null) {
                throw first;
            }
            return prepared;
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Boots one node per version, gives each the TIPC identity of its name, enables an Ethernet
     * bearer on eth0 and waits until every node has a link up to every other one.
     *
     * @throws LabException stage LINK_TIMEOUT (with link lists and consoles) when links do not come up in 30 s
     */
    public List<KernelNode> bootCluster(KernelVersion... versions) {
        List<KernelNode> ns = bootAll(versions);
        for (KernelNode n : ns) {
            n.setIdentity(n.name()).enableEthBearer();
        }
        long t0 = System.nanoTime();
        for (KernelNode n : ns) {
            n.awaitUpLinks(ns.size() - 1, Duration.ofSeconds(30));
        }
        options.progress().accept("cluster of " + ns.size() + " linked up in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        return ns;
    }

    // ---- jtipc ports ---------------------------------------------------------------------------

    /**
     * Adds a veth pair for a jtipc node: {@code NAME} (in the lab namespace, up, with its own MAC and
     * an address of the lab subnet) and {@code NAME-br} on the bridge.
     *
     * @param name 1-12 characters of [A-Za-z0-9_.]
     */
    public Veth addVeth(String name) {
        return addVeth(name, 0);
    }

    /**
     * Adds a veth pair for a jtipc node on {@link #bridge(int) bridge {@code bridgeIndex}} (created when missing), its
     * address in that bridge's subnet {@code 10.99.I.0/24}: a jtipc node's second bearer on a second segment.
     *
     * @param name 1-12 characters of [A-Za-z0-9_.]
     */
    public Veth addVeth(String name, int bridgeIndex) {
        ensureOpen();
        String br = bridge(bridgeIndex);
        if (!name.matches("[A-Za-z0-9_.]{1,12}")) {
            throw new IllegalArgumentException("veth name must be 1-12 of [A-Za-z0-9_.]: " + name);
        }
        int k = vethCounter.incrementAndGet();
        if (k > 150) {
            throw new IllegalStateException("at most 150 veths per lab");
        }
        String peer = name + "-br";
        String mac = String.format("02:4a:54:00:01:%02x", k);
        String ip = subnet(bridgeIndex) + (100 + k);
        nsCheck("veth " + name, "ip", "link", "add", name, "type", "veth", "peer", "name", peer);
        nsCheck("veth " + name, "ip", "link", "set", name, "address", mac);
        nsCheck("veth " + name, "ip", "link", "set", peer, "master", br, "up");
        nsCheck("veth " + name, "ip", "addr", "add", ip + "/" + PREFIX, "dev", name);
        nsCheck("veth " + name, "ip", "link", "set", name, "up");
        Veth v = new Veth(name, peer, netns, mac, ip, PREFIX);
        veths.put(name, v);
        return v;
    }

    // ---- host processes in the namespace -------------------------------------------------------

    /**
     * Starts {@code COMMAND} under {@code ip netns exec NETNS}: it sees the bridge, the veths and the
     * lab subnet, nothing of the host's network. Killed by {@link #close()} at the latest.
     */
    public NetnsProcess startInNetns(String... command) {
        ensureOpen();
        NetnsProcess p = new NetnsProcess(inNetns(command));
        processes.add(p);
        return p;
    }

    /**
     * Starts a JVM like this one (same {@code java}, same class path) running {@code mainClass} in the
     * lab namespace: the way a jtipc node joins the segment through a {@link Veth} (AF_PACKET) or a
     * UDP bearer on the veth's address.
     *
     * @param jvmOptions e.g. {@code -Xmx256m}, {@code -Dkey=value}
     */
    public NetnsProcess startJava(List<String> jvmOptions, String mainClass, String... args) {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>(List.of(java));
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(Arrays.asList(args));
        return startInNetns(cmd.toArray(new String[0]));
    }

    // ---- captures ------------------------------------------------------------------------------

    /** Starts {@code tcpdump} on the bridge into {@code pcap}; returns once it listens. */
    public PacketCapture capture(Path pcap) {
        ensureOpen();
        PacketCapture c = new PacketCapture(this, pcap);
        captures.add(c);
        return c;
    }

    /**
     * Starts {@code tcpdump} on an interface of the lab namespace (e.g. {@link #bridge(int) bridge 1}) into
     * {@code pcap}; returns once it listens.
     */
    public PacketCapture capture(Path pcap, String iface) {
        ensureOpen();
        PacketCapture c = new PacketCapture(this, pcap, iface);
        captures.add(c);
        return c;
    }

    // ---- teardown ------------------------------------------------------------------------------

    public boolean isClosed() {
        return closed;
    }

    /**
     * Kills every qemu and tcpdump of the lab, deletes the namespace (bridge, taps and veths go with
     * it). Idempotent, never throws.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (PacketCapture c : List.copyOf(captures)) {
            try {
                c.stop();
            } catch (RuntimeException ignored) {
                // keep tearing down
            }
        }
        for (NetnsProcess p : List.copyOf(processes)) {
            try {
                p.close();
            } catch (RuntimeException ignored) {
                // keep tearing down
            }
        }
        for (KernelNode n : nodes()) {
            try {
                n.kill();
            } catch (RuntimeException ignored) {
                // keep tearing down
            }
        }
        deleteNamespace(netns);
        try (var s = Files.list(socketDir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Files.deleteIfExists(p);
            }
            Files.deleteIfExists(socketDir);
        } catch (IOException ignored) {
            // temp files only
        }
        OPEN.remove(this);
    }

    /** Kills what still runs in a namespace (processes the lab started) and deletes it. */
    private static void deleteNamespace(String ns) {
        Host.Result pids = Host.run("ip", "netns", "pids", ns);
        if (pids.ok()) {
            for (String p : pids.output().split("\\s+")) {
                if (p.matches("\\d+")) {
                    ProcessHandle.of(Long.parseLong(p)).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
            for (int i = 0; i < 50 && !Host.run("ip", "netns", "pids", ns).output().isBlank(); i++) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        Host.run("ip", "netns", "delete", ns);
    }

    /** Deletes lab namespaces whose JVM is gone (a run that was killed before it could clean up). */
    static void removeStaleNamespaces() {
        Host.Result list = Host.run("ip", "netns", "list");
        if (!list.ok()) {
            return;
        }
        for (String line : list.output().split("\n")) {
            String ns = line.trim().split("\\s+")[0];
            Matcher m = NS_NAME.matcher(ns);
            if (m.matches()) {
                long pid = Long.parseLong(m.group(1));
                if (pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).isEmpty()) {
                    deleteNamespace(ns);
                }
            }
        }
    }

    /** Whether a namespace of that name exists on the host. */
    public static boolean namespaceExists(String ns) {
        return Arrays.stream(Host.run("ip", "netns", "list").output().split("\n"))
                .anyMatch(l -> l.trim().split("\\s+")[0].equals(ns));
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the lab is closed");
        }
    }

    private String nsCheck(String what, String... command) {
        return Host.check(LabException.Stage.NETWORK, what, inNetns(command).toArray(new String[0]));
    }

    private Host.Result nsRun(String... command) {
        return Host.run(Duration.ofSeconds(30), inNetns(command));
    }

    @Override
    public String toString() {
        return "Lab[" + netns + ", nodes " + nodes.keySet() + ", veths " + veths.keySet() + "]";
    }
}
