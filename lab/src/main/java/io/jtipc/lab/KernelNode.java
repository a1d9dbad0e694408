package io.jtipc.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A Linux kernel TIPC node: a Debian cloud kernel booted under {@code qemu-system-x86_64 -accel tcg}
 * in the lab's network namespace, its {@code eth0} on the lab bridge through a tap device.
 *
 * <p>Commands run in the guest through its control port ({@link #exec}, {@link #start}); iproute2's
 * {@code tipc}/{@code tc} are {@code /usr/sbin/tipc} and {@code /usr/sbin/tc} there (busybox's shell
 * would run its own {@code tc} applet for a bare name), the agent is {@code /bin/tipc-agent}. The
 * guest console ({@code ttyS0}) goes to {@link #consoleLog()}. Made by {@link Lab#boot}.
 */
public final class KernelNode {
    /** Where iproute2's tipc lives in the guest. */
    public static final String TIPC = "/usr/sbin/tipc";
    /** Where iproute2's tc lives in the guest. */
    public static final String TC = "/usr/sbin/tc";
    /** Where the agent lives in the guest. */
    public static final String AGENT = "/bin/tipc-agent";

    private static final Duration DEFAULT_EXEC_TIMEOUT = Duration.ofSeconds(30);

    private final Lab lab;
    private final String name;
    private final BootImage image;
    private final List<Nic> nics;
    private final String mac;
    private final String ipv4;
    private final int prefixLength;
    private final String tap;
    private final Path dir;
    private final Path socket;
    private final Map<String, Path> files;
    private volatile List<String> kernelArgs = List.of();
    private volatile Process qemu;
    private volatile ControlChannel control;
    private volatile long bootMillis;

    /**
     * One virtio NIC of the guest.
     *
     * @param ifname       the guest's interface, {@code eth0}, {@code eth1}, ...
     * @param tap          the host tap device (a port of {@code bridge}) behind it
     * @param mac          its MAC address
     * @param ipv4         its IPv4 address, without prefix
     * @param prefixLength the prefix length of the bridge's subnet
     * @param bridge       the lab bridge it is on
     */
    public record Nic(String ifname, String tap, String mac, String ipv4, int prefixLength, String bridge) {
    }

    KernelNode(Lab lab, String name, BootImage image, List<Nic> nics, Path dir, Path socket, Map<String, Path> files) {
        this.lab = lab;
        this.name = name;
        this.image = image;
        this.nics = List.copyOf(nics);
        Nic eth0 = nics.get(0);
        this.mac = eth0.mac();
        this.ipv4 = eth0.ipv4();
        this.prefixLength = eth0.prefixLength();
        this.tap = eth0.tap();
        this.dir = dir;
        this.socket = socket;
        this.files = new TreeMap<>(files);
    }

    public String name() {
        return name;
    }

    public KernelVersion version() {
        return image.version();
    }

    public BootImage image() {
        return image;
    }

    /** eth0's MAC address, {@code 52:54:00:..}; the default TIPC node identity is its hex digits. */
    public String mac() {
        return mac;
    }

    /** eth0's IPv4 address (no prefix), e.g. {@code 10.99.0.11}. */
    public String ipv4() {
        return ipv4;
    }

    public int prefixLength() {
        return prefixLength;
    }

    /** The host tap device (a bridge port) of eth0. */
    public String tap() {
        return tap;
    }

    void kernelArgs(List<String> args) {
        kernelArgs = List.copyOf(args);
    }

    /**
     * virtio_net's default for every guest unless {@code args} set one: {@value #VIRTIO_NET_DEFAULT} (TX completions
     * reaped in start_xmit). With TX NAPI under bursts on qemu TCG, 5.10's driver stalled a transmit queue for good
     * (failover lab runs, and Jtipc5_10InteropTest's netem run once jtipc sent its window in one burst), 6.12 panicked
     * in net_rx_action: guest driver faults, not TIPC's.
     */
    static final String VIRTIO_NET_DEFAULT = "jtipc.modopt=virtio_net:napi_tx=0";

    /** {@code args} plus {@link #VIRTIO_NET_DEFAULT} when they set no virtio_net module option. */
    static List<String> withDefaultArgs(List<String> args) {
        if (args.stream().anyMatch(a -> a.startsWith("jtipc.modopt=virtio_net:"))) return args;
        List<String> all = new ArrayList<>(args);
        all.add(VIRTIO_NET_DEFAULT);
        return all;
    }

    /** The guest's NICs, {@code eth0} first ({@link Lab#boot(KernelVersion, String, int)}). */
    public List<Nic> nics() {
        return nics;
    }

    /**
     * NIC {@code ethI}.
     *
     * @throws IndexOutOfBoundsException when the guest has fewer NICs
     */
    public Nic nic(int index) {
        return nics.get(index);
    }

    /** Where a file passed at boot under {@code key} reads in the guest (qemu fw_cfg). */
    public String fwCfgPath(String key) {
        return "/sys/firmware/qemu_fw_cfg/by_name/opt/jtipc/" + key + "/raw";
    }

    /** The guest console log (kernel messages, /init's JTIPC-LAB lines), appended across reboots. */
    public Path consoleLog() {
        return dir.resolve("console.log");
    }

    /** The last lines of the console log, escape sequences removed. */
    public String consoleTail(int lines) {
        return Host.tail(consoleLog(), lines);
    }

    /** Milliseconds the last boot took from qemu start to the control server's hello. */
    public long bootMillis() {
        return bootMillis;
    }

    /** {@code uname -r} of the running guest, as its control server announced it. */
    public String kernelRelease() {
        ControlChannel c = control;
        return c == null ? image.kernelRelease() : c.kernelRelease();
    }

    public boolean isRunning() {
        Process p = qemu;
        return p != null && p.isAlive();
    }

    // ---- commands ------------------------------------------------------------------------------

    /**
     * Runs a shell command line in the guest ({@code /bin/sh -c}, busybox) and waits for it.
     *
     * @param timeout the guest kills the command's process group after this; the result then has
     *                {@code timedOut} and exit code 137
     * @throws LabException (stage CONTROL) when the guest is gone, with the console tail
     */
    public ExecResult exec(String command, Duration timeout) {
        GuestJob job = requireControl().start(this, command, timeout.toMillis());
        return job.await(timeout.plusSeconds(10));
    }

    /** {@link #exec(String, Duration)} with a 30 s timeout. */
    public ExecResult exec(String command) {
        return exec(command, DEFAULT_EXEC_TIMEOUT);
    }

    /** Runs {@code /usr/sbin/tipc ARGS} and requires exit status 0. */
    public ExecResult tipc(String... args) {
        return exec(TIPC + " " + quote(args), DEFAULT_EXEC_TIMEOUT).requireOk();
    }

    /** Starts a shell command line in the background; its output comes line by line. */
    public GuestJob start(String command) {
        return requireControl().start(this, command, 0);
    }

    /**
     * Starts {@code tipc-agent ARGS} in the background, e.g. {@code startAgent("rdm-echo", "1000", "1")};
     * call {@link GuestJob#awaitReady} before the peer starts.
     */
    public GuestJob startAgent(String... args) {
        return start(AGENT + " " + quote(args));
    }

    /** Runs {@code tipc-agent ARGS} in the foreground (pings, wait-service) and returns its result. */
    public ExecResult agent(Duration timeout, String... args) {
        return exec(AGENT + " " + quote(args), timeout);
    }

    void signalJob(String id, int signal) {
        ControlChannel c = control;
        if (c != null) {
            c.kill(id, signal);
        }
    }

    // ---- TIPC conveniences ---------------------------------------------------------------------

    /** {@code tipc node set identity ID} (before any bearer is enabled). */
    public KernelNode setIdentity(String identity) {
        tipc("node", "set", "identity", identity);
        return this;
    }

    /** {@code tipc bearer enable media eth device eth0}. */
    public KernelNode enableEthBearer() {
        tipc("bearer", "enable", "media", "eth", "device", "eth0");
        return this;
    }

    /** {@code tipc bearer enable media eth device DEV}, e.g. {@code eth1} of a node with two NICs. */
    public KernelNode enableEthBearer(String device) {
        tipc("bearer", "enable", "media", "eth", "device", device);
        return this;
    }

    /**
     * Cuts or restores the kernel side of a link inside the guest: {@code ip link set IF down|up}. The kernel's
     * Ethernet bearer sees NETDEV_DOWN and resets its links at once (net/tipc/bearer.c tipc_l2_device_event), and
     * comes back with NETDEV_UP; compare {@link Lab#setInterfaceUp} on {@link Nic#tap()}, which cuts the wire and
     * lets the links time out.
     *
     * @throws LabException (stage EXEC) when the command fails
     */
    public void setInterfaceUp(String ifname, boolean up) {
        exec("ip link set " + Host.shellQuote(ifname) + (up ? " up" : " down"), DEFAULT_EXEC_TIMEOUT).requireOk();
    }

    /** {@code tipc link stat show}: the kernel's per-link counters (all links). */
    public String linkStatShow() {
        return tipc("link", "stat", "show").output();
    }

    /** {@code tipc bearer enable media udp name NAME localip <eth0's address>} (multicast discovery). */
    public KernelNode enableUdpBearer(String bearerName) {
        tipc("bearer", "enable", "media", "udp", "name", bearerName, "localip", ipv4);
        return this;
    }

    /** {@code tipc node set key 0xHEX algname "gcm(aes)" master}: the cluster master key (TX slot 0). */
    public KernelNode setMasterKey(String hexKey) {
        String k = hexKey.startsWith("0x") ? hexKey : "0x" + hexKey;
        tipc("node", "set", "key", k, "algname", "gcm(aes)", "master");
        return this;
    }

    /** {@code tipc node set key 0xHEX algname "gcm(aes)"}: a cluster key (the TX key, cluster mode). */
    public KernelNode setClusterKey(String hexKey) {
        String k = hexKey.startsWith("0x") ? hexKey : "0x" + hexKey;
        tipc("node", "set", "key", k, "algname", "gcm(aes)");
        return this;
    }

    /** {@code tipc node set key 0xHEX algname "gcm(aes)" nodeid ID}: the per-node key of node {@code nodeId}. */
    public KernelNode setNodeKey(String hexKey, String nodeId) {
        String k = hexKey.startsWith("0x") ? hexKey : "0x" + hexKey;
        tipc("node", "set", "key", k, "algname", "gcm(aes)", "nodeid", nodeId);
        return this;
    }

    /** The lines of {@code tipc link list} ({@code NAME: up|down}, broadcast-link included). */
    public List<String> linkList() {
        return tipc("link", "list").lines().stream().map(String::trim).filter(l -> !l.isEmpty())
                .collect(Collectors.toList());
    }

    /** Unicast links that are up (names of {@code tipc link list} lines ending in {@code : up}). */
    public List<String> upLinks() {
        List<String> up = new ArrayList<>();
        for (String l : linkList()) {
            if (l.endsWith(": up") && !l.startsWith("broadcast-link")) {
                up.add(l.substring(0, l.length() - 4));
            }
        }
        return up;
    }

    /**
     * Waits until at least {@code count} unicast links are up.
     *
     * @throws LabException (stage LINK_TIMEOUT) with the last link list and console tail
     */
    public void awaitUpLinks(int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> last = List.of();
        while (System.nanoTime() < deadline) {
            last = linkList();
            long up = last.stream().filter(l -> l.endsWith(": up") && !l.startsWith("broadcast-link")).count();
            if (up >= count) {
                return;
            }
            sleep(200);
        }
        throw new LabException(LabException.Stage.LINK_TIMEOUT, name + ": fewer than " + count + " TIPC link(s) up after "
                + timeout.toMillis() + " ms", "tipc link list:\n" + String.join("\n", last) + "\n--- console tail of "
                + name + ":\n" + consoleTail(30));
    }

    /**
     * Impairs eth0's egress: {@code tc qdisc replace dev eth0 root netem SPEC}, e.g.
     * {@code "loss 7% reorder 5% delay 2ms"} (netem runs in the guest; the host kernel has none).
     */
    public void impair(String netemSpec) {
        exec(TC + " qdisc replace dev eth0 root netem " + netemSpec, DEFAULT_EXEC_TIMEOUT).requireOk();
    }

    /** Removes an impairment set by {@link #impair}. */
    public void clearImpairment() {
        exec(TC + " qdisc del dev eth0 root", DEFAULT_EXEC_TIMEOUT);
    }

    // ---- life cycle ------------------------------------------------------------------------------

    void boot(Duration timeout) {
        long t0 = System.nanoTime();
        long deadline = t0 + timeout.toNanos();
        try {
            Files.createDirectories(dir);
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            throw new LabException(LabException.Stage.BOOT, name + ": cannot prepare " + dir, e.toString());
        }
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", lab.netns(), "qemu-system-x86_64",
                "-name", name, "-accel", "tcg", "-cpu", "max", "-smp", "1", "-m", String.valueOf(lab.options().memoryMb()),
                "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot", "-monitor", "none",
                "-kernel", image.vmlinuz().toString(), "-initrd", image.initrd().toString(),
                // no_timer_check: under TCG on a loaded host the IO-APIC timer check can fail and panic the guest
                "-append", "console=ttyS0 quiet panic=-1 no_timer_check jtipc.name=" + name + " jtipc.ip=" + ipv4 + "/" + prefixLength
                        + " " + String.join(" ", withDefaultArgs(kernelArgs)),
                "-chardev", "file,id=con,path=" + consoleLog() + ",append=on", "-serial", "chardev:con",
                "-netdev", "tap,id=n0,ifname=" + tap + ",script=no,downscript=no",
                "-device", "virtio-net-pci,netdev=n0,mac=" + mac + ",romfile="));
        for (int j = 1; j < nics.size(); j++) {
            Nic x = nics.get(j);
            cmd.addAll(List.of("-netdev", "tap,id=n" + j + ",ifname=" + x.tap() + ",script=no,downscript=no",
                    "-device", "virtio-net-pci,netdev=n" + j + ",mac=" + x.mac() + ",romfile="));
        }
        cmd.addAll(List.of("-device", "virtio-serial-pci",
                "-chardev", "socket,id=ctl,path=" + socket + ",server=on,wait=off",
                "-device", "virtserialport,chardev=ctl,name=ctl"));
        for (Map.Entry<String, Path> f : files.entrySet()) {
            cmd.add("-fw_cfg");
            cmd.add("name=opt/jtipc/" + f.getKey() + ",file=" + f.getValue().toAbsolutePath());
        }
        try {
            Files.writeString(consoleLog(), "\n==== jtipc lab: booting " + name + " (" + image + ") ====\n",
                    StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            qemu = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("qemu.log").toFile())).start();
        } catch (IOException e) {
            throw new LabException(LabException.Stage.BOOT, name + ": cannot start qemu: " + e.getMessage(), "");
        }
        try {
            control = ControlChannel.connect(name, socket, deadline, qemu);
            if (!control.awaitHello(deadline, qemu)) {
                throw bootFailure("the guest's control server did not answer within " + timeout.toMillis() + " ms");
            }
        } catch (IOException e) {
            throw bootFailure("cannot connect to the control socket " + socket + ": " + e.getMessage());
        }
        bootMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        String console = Host.tail(consoleLog(), 400);
        List<String> failedModules = console.lines().filter(l -> l.contains("JTIPC-LAB: module-failed"))
                .collect(Collectors.toList());
        ExecResult tipcLoaded = exec("test -d /sys/module/tipc", Duration.ofSeconds(20));
        if (!failedModules.isEmpty() || !tipcLoaded.ok()) {
            LabException e = new LabException(LabException.Stage.MODULE_LOAD, name + " (" + image + "): "
                    + (failedModules.isEmpty() ? "module tipc is not loaded" : "kernel modules failed to load"),
                    String.join("\n", failedModules) + "\n--- console tail of " + name + ":\n" + consoleTail(40));
            kill();
            throw e;
        }
        configureExtraNics();
    }

    /**
     * /init configures eth0 only: the other NICs are brought up with their address here, after checking the guest
     * named them in the order of the qemu command line (ethJ has NIC J's MAC).
     */
    private void configureExtraNics() {
        for (int j = 1; j < nics.size(); j++) {
            Nic x = nics.get(j);
            String i = Host.shellQuote(x.ifname());
            ExecResult r = exec("test \"$(cat /sys/class/net/" + i + "/address)\" = " + Host.shellQuote(x.mac())
                    + " && ip link set " + i + " up && ip addr add " + Host.shellQuote(x.ipv4() + "/" + x.prefixLength())
                    + " dev " + i, Duration.ofSeconds(20));
            if (!r.ok()) {
                String links = exec("ip -o link", Duration.ofSeconds(10)).output();
                kill();
                throw new LabException(LabException.Stage.BOOT, name + ": cannot configure " + x.ifname() + " ("
                        + x.mac() + ")", r + "\n--- ip -o link:\n" + links);
            }
        }
    }

    private LabException bootFailure(String what) {
        Process p = qemu;
        String exit = "";
        if (p != null) {
            try {
                if (p.waitFor(200, TimeUnit.MILLISECONDS)) {
                    exit = " (qemu exited with " + p.exitValue() + ")";
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        String console = consoleTail(60);
        String diagnosis = console.contains("Kernel panic") ? "; the kernel panicked"
                : console.contains("JTIPC-LAB: no-control-port") ? "; /init found no virtio control port"
                : console.contains("JTIPC-LAB: ready") ? "; /init started the control server" : "; /init never got to its control server";
        String qemuLog = Host.tail(dir.resolve("qemu.log"), 20);
        kill();
        return new LabException(console.contains("JTIPC-LAB: module-failed") ? LabException.Stage.MODULE_LOAD
                : LabException.Stage.BOOT, name + " (" + image + "): " + what + exit + diagnosis,
                "--- qemu output:\n" + qemuLog + "\n--- console tail of " + name + " (" + consoleLog() + "):\n" + console);
    }

    /** Kills qemu at once (a crash of the node, as its peers see it). The node can {@link #reboot()}. */
    public void kill() {
        ControlChannel c = control;
        control = null;
        Process p = qemu;
        if (p != null && p.isAlive()) {
            p.destroyForcibly();
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (c != null) {
            c.close();
        }
    }

    /** Kills qemu and boots the same kernel again, same MAC/IP/tap: a fresh TIPC node of the same identity. */
    public void reboot() {
        kill();
        boot(lab.options().bootTimeout());
    }

    private ControlChannel requireControl() {
        ControlChannel c = control;
        if (c == null || !isRunning()) {
            throw new LabException(LabException.Stage.CONTROL, name + " is not running", consoleTail(30));
        }
        return c;
    }

    static String quote(String... args) {
        return java.util.Arrays.stream(args).map(Host::shellQuote).collect(Collectors.joining(" "));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException(LabException.Stage.EXEC, "interrupted", "");
        }
    }

    @Override
    public String toString() {
        return name + " [" + image.version() + ", " + kernelRelease() + ", " + mac + ", " + ipv4 + "]";
    }
}
