package io.jtipc.cli;

import io.jtipc.api.LinkInfo;
import io.jtipc.api.LinkListener;
import io.jtipc.api.TipcAddress;
import io.jtipc.api.TipcMessage;
import io.jtipc.api.TipcNode;
import io.jtipc.api.TipcSocket;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jtipc node}: runs a jtipc TIPC node (io.jtipc.api.TipcNode) on raw Ethernet or UDP bearers and performs
 * scriptable actions with it. Exit codes: 0 done (or stopped by SIGTERM/SIGINT), 1 failed (bearer cannot open, no
 * link, send failed, the node failed), 2 bad arguments. Service mode and the control socket: {@link ServiceMode}.
 */
@Command(name = "node", sortOptions = false,
        header = "Run a jtipc TIPC node on Ethernet or UDP bearers and do ACTIONs with it.",
        description = {
            "Run a jtipc TIPC node that joins a Linux TIPC cluster (raw Ethernet needs CAP_NET_RAW; UDP needs no privilege), then do the ACTIONs in order:",
            "  links                   the links, as 'tipc link list' prints them",
            "  link-stats              each link's statistics as 'tipc link stat show', with",
            "                          the hostile-input counters (drops, reassembly errors,",
            "                          overflows, resets) and SYNCH/FAILOVER counters",
            "  nametable               the binding table, as 'tipc nametable show'",
            "  send TYPE:INST TEXT     send TEXT (RDM), print the reply if one comes within",
            "                          --timeout",
            "  ping TYPE:INST COUNT SIZE",
            "                          send COUNT numbered RDM messages of SIZE bytes to an",
            "                          --echo service, print 'PING sent N echoed E lost L",
            "                          duplicated D reordered R' (fails unless all came",
            "                          back once and in order)",
            "  link-set PROP VALUE LINK",
            "                          'tipc link set PROP VALUE link LINK': PROP is",
            "                          tolerance (ms), priority or window",
            "  bearer-set PROP VALUE BEARER",
            "                          'tipc bearer set PROP VALUE' on BEARER (udp:NAME,",
            "                          eth:IFACE)",
            "  sleep SECONDS           wait",
            "  connect TYPE:INST       connect (SEQPACKET; --stream: STREAM; --wait SECONDS",
            "                          for the service to appear), pipe stdin to it and",
            "                          what comes back to stdout (like tipc-pipe, netcat)",
            "  listen TYPE:INST        accept one connection, pipe it the same way",
            "  subscribe TYPE:LOW:UP   print topology events (TIPC_SUB_PORTS) as struct",
            "                          tipc_event describes them",
            "  group-bcast COUNT TEXT  (--group) broadcast COUNT messages 'TEXT 0' ...",
            "                          'TEXT COUNT-1' to the group",
            "  kernel COMMAND          (--lab) run a shell command in the kernel node",
            "  kernel-echo TYPE:INST   (--lab) start the kernel's RDM echo agent",
            "  kernel-ping TYPE:INST COUNT SIZE",
            "                          (--lab) the kernel's agent sends COUNT RDM messages",
            "                          of SIZE bytes and checks the echoes",
            "Output: results and status lines ('NODE ...', 'LINK up ...') on stdout, logs on stderr; with connect or listen stdout carries only the connection's bytes and every status line goes to stderr.",
            "With --echo-conn the node runs a STREAM listener echoing every connection's bytes (SEQPACKET and STREAM clients both work).",
            "With --group TYPE:MEMBER the node joins group TYPE as MEMBER (cluster scope, member events on), prints 'MEMBER joined|left M node N port P' (N hex) and 'GOT TEXT' per message, and echoes unicast and anycast messages to their sender.",
            "With --echo the node then echoes RDM messages sent to TYPE:INSTANCE until killed or --for ends (an echo to a node whose link is congested is dropped and counted, never waited for); with no action and no --echo it stays up until killed or --for ends, printing link events.",
            "Bearers: eth:IFACE, udp:LOCALIP[:PORT][,remote=IP[:PORT]...][,name=NAME][,mtu=BYTES][,gso=off][,loss=PERCENT] (no remote: multicast discovery to iproute2's group for the cluster id; name: 1-15 ASCII characters, as the kernel's; loss: drop that share of received frames, for tests; mtu: the UDP bearer MTU, 128-65507 IPv4, 148-65527 IPv6, default 14000 IPv4 / 1280 IPv6 as the kernel's; a link uses the smaller of both ends' MTUs, advertised in 4-byte units: mtu=65507 gives 65504; gso=off: no segmentation offload on loopback, so UDP checksums stay 0 as the kernel's).",
            "Service mode: once up the node prints 'READY identity ID address HEX cluster N control PATH|none' on stderr (and sends READY=1 to systemd's NOTIFY_SOCKET if set; STOPPING=1 when it stops; with WATCHDOG_USEC, WATCHDOG=1 every half of it while the node's core answers); SIGTERM or SIGINT closes it gracefully (each up link sends a RESET with the peer-stopping bit: peers see the link down at once) and it exits 0. While it runs, 'jtipc [--node PATH|ID] link list' etc. operate it through its control socket (mode 0600; see 'jtipc --help').",
            "Config file (--config FILE): the same keys as the long options, e.g. 'identity = n1', 'bearer = udp:10.0.0.1' (repeatable), 'control = /run/jtipc/n1.ctl', 'verbose'; the command line overrides it.",
            "Exit codes: 0 done or stopped by SIGTERM/SIGINT (graceful close), 1 runtime failure (bearer, link, send, node failed, control socket in use), 2 usage error (bad option, action or value, bad --config file)."},
        footer = {
            "",
            "Examples:",
            "  # two nodes over UDP on one host, no privilege: an RDM echo service ...",
            "  jtipc node --identity a --bearer udp:127.0.0.1:6118,remote=127.0.0.2:6118 \\",
            "      --echo 18888:17 --echo-conn 18888:1 &",
            "  # ... and a node that sends to it, then prints its links and binding table",
            "  jtipc node --identity b --bearer udp:127.0.0.2:6118,remote=127.0.0.1:6118 \\",
            "      --wait-link 10 send 18888:17 hello links nametable",
            "  # pipe a file through a STREAM connection: out gets only the echoed bytes",
            "  jtipc node --identity c --bearer udp:127.0.0.2:6118,remote=127.0.0.1:6118 \\",
            "      --wait-link 10 --wait 5 --stream connect 18888:1 < file > out",
            "  # as root: join a Linux 6.1 kernel node booted in the lab",
            "  jtipc node --identity j1 --lab 6.1 --wait-link 60 \\",
            "      kernel '/usr/sbin/tipc link list' nametable"})
public final class NodeCommand implements Callable<Integer> {

    @Option(names = "--config", paramLabel = "FILE",
            description = "read options from FILE: 'key = value' lines, the keys being the long option names without "
                    + "'--' (bearer repeatable), '#' comments; options on the command line win (a --bearer there "
                    + "replaces every bearer of the file). Unknown keys and bad values: exit 2, naming FILE:LINE")
    java.nio.file.Path config;

    @Option(names = "--identity", paramLabel = "ID",
            description = "node identity (as 'tipc node set identity': up to 16 characters, or 32 hex digits); required")
    String identity;

    @Option(names = "--bearer", paramLabel = "SPEC", description = "eth:IFACE or udp:... (repeatable, at most 3; required without --lab)")
    List<String> bearers = new ArrayList<>();

    @Option(names = "--lab", paramLabel = "VERSION",
            description = "boot a Linux kernel TIPC node (5.10, 6.1 or 6.12, under qemu) in a fresh lab network namespace "
                    + "and run this node on a veth port of the lab's bridge (eth:jt0); needs root. Enables the kernel-* actions")
    String labVersion;

    @Option(names = "--capture", paramLabel = "PCAP", description = "traffic tap: write every frame the node sends and "
            + "receives on each bearer, and its node-local deliveries, to PCAP (pcapng: one interface per bearer and "
            + "'node-local'; flushed every second and on exit; rotated, see --capture-size); with --lab: capture the lab "
            + "bridge into PCAP instead")
    java.nio.file.Path capture;

    @Option(names = "--capture-size", paramLabel = "BYTES", defaultValue = "67108864",
            description = "--capture: bytes per file (>= 131072) before PCAP becomes PCAP.1 (default ${DEFAULT-VALUE}, 64 MiB)")
    long captureSize;

    @Option(names = "--capture-files", paramLabel = "N", defaultValue = "4",
            description = "--capture: files kept (PCAP, PCAP.1 ... PCAP.N-1; default ${DEFAULT-VALUE})")
    int captureFiles;

    @Option(names = "--netns", paramLabel = "NAME", description = "open the bearers inside network namespace NAME (/var/run/netns/NAME)")
    String netns;

    @Option(names = "--cluster", paramLabel = "ID", defaultValue = "4711", description = "cluster id 1-9999 (default ${DEFAULT-VALUE})")
    int cluster;

    @Option(names = "--key", paramLabel = "KEY",
        description = "encrypt as after 'tipc node set key KEY': AES key + 4-byte salt, 0x and hex digits or text of 20, 28 or 36 bytes (UTF-8) (40, 56 or 72 hex digits also without 0x); never printed")
    String key;

    @Option(names = "--key-file", paramLabel = "FILE",
        description = "as --key, the key read from FILE (its one non-comment line; owned by you, mode 600): off the "
            + "command line, where ps shows it to every user")
    java.nio.file.Path keyFile;

    @Option(names = "--key-master", description = "with --key: the cluster master key ('... master')")
    boolean keyMaster;

    @Option(names = "--key-node", paramLabel = "ID", description = "with --key: a per-node key of node ID ('... nodeid ID'; own identity = our TX key)")
    String keyNode;

    @Option(names = "--rekeying", paramLabel = "MINUTES", description = "with --key: automatic rekeying interval (default 1440, 0 = never)")
    Integer rekeying;

    @Option(names = "--wait-link", paramLabel = "SECONDS", defaultValue = "0",
            description = "before the actions, wait up to SECONDS for a link to come up; fail if none does")
    double waitLink;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "5", description = "reply timeout of send (default ${DEFAULT-VALUE})")
    double timeout;

    @Option(names = "--echo", paramLabel = "TYPE:INSTANCE",
            description = "bind TYPE:INSTANCE (or TYPE:LOWER:UPPER) and echo RDM messages, from the start on")
    String echo;

    @Option(names = "--for", paramLabel = "SECONDS", defaultValue = "0",
            description = "stay up SECONDS after the start (0: until killed when there are no actions, else end after them)")
    double runFor;

    @Option(names = "--echo-conn", paramLabel = "TYPE:INSTANCE",
            description = "echo the bytes of every connection to TYPE:INSTANCE (a STREAM listener; at most 64 "
                    + "connections at once, more are closed at once)")
    String echoConn;

    @Option(names = "--group", paramLabel = "TYPE:MEMBER",
            description = "join group TYPE as member MEMBER from the start on (TIPC_GROUP_JOIN, member events on)")
    String group;

    @Option(names = "--stream", description = "connect/listen: SOCK_STREAM instead of SOCK_SEQPACKET")
    boolean stream;

    @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "0",
            description = "connect: wait up to SECONDS for the service to appear (default ${DEFAULT-VALUE})")
    double connWait;

    @Option(names = "--control", paramLabel = "PATH",
            description = "the control socket (mode 0600) for 'jtipc link|bearer|nametable|node list|socket|peer ...'; "
                    + "'none': no socket. Default: $XDG_RUNTIME_DIR/jtipc/ID.ctl, /run/jtipc/ID.ctl (root) or "
                    + "/tmp/jtipc-UID/ID.ctl (directory mode 0700); a default path in use is reported and skipped")
    String control;

    @Option(names = {"-v", "--verbose"}, description = "DEBUG logs (dropped frames, bearer errors)")
    boolean verbose;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
    boolean help;

    @Parameters(paramLabel = "ACTION", arity = "0..*", description = "links | link-stats | nametable | send | ping | link-set | "
            + "bearer-set | sleep | connect | listen | subscribe | group-bcast | kernel | kernel-echo | kernel-ping "
            + "(with their arguments, as listed above)")
    List<String> actions = new ArrayList<>();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private sealed interface Action permits Links, LinkStats, Nametable, Send, Sleep, Kernel, KernelEcho, KernelPing, ConnStep,
            GroupBcast, Ping, SetProp {}

    private record GroupBcast(int count, String text) implements Action {}

    private record Ping(TipcAddress at, int count, int size) implements Action {}

    /** link-set (bearer false) or bearer-set (bearer true) of {@code prop} to {@code value} on {@code name}. */
    private record SetProp(boolean bearer, io.jtipc.api.LinkProperty prop, int value, String name) implements Action {}

    private record ConnStep(ConnActions.Step step) implements Action {}

    private record Kernel(String command) implements Action {}

    private record KernelEcho(TipcAddress at) implements Action {}

    private record KernelPing(TipcAddress at, int count, int size) implements Action {}

    private record Links() implements Action {}

    private record LinkStats() implements Action {}

    private record Nametable() implements Action {}

    private record Send(TipcAddress to, String text) implements Action {}

    private record Sleep(double seconds) implements Action {}

    private List<Action> parseActions(CommandLine cl) {
        List<Action> r = new ArrayList<>();
        for (int i = 0; i < actions.size(); i++) {
            String a = actions.get(i);
            if (ConnActions.handles(a)) {
                i = ConnActions.parse(cl, actions, i, st -> r.add(new ConnStep(st)));
                continue;
            }
            switch (a) {
                case "links" -> r.add(new Links());
                case "group-bcast" -> {
                    if (i + 2 >= actions.size()) throw new CommandLine.ParameterException(cl, "group-bcast needs COUNT and TEXT");
                    r.add(new GroupBcast(count(cl, actions.get(i + 1), 1_000_000), actions.get(i + 2)));
                    i += 2;
                }
                case "link-stats" -> r.add(new LinkStats());
                case "nametable" -> r.add(new Nametable());
                case "send" -> {
                    if (i + 2 >= actions.size()) {
                        throw new CommandLine.ParameterException(cl, "send needs TYPE:INSTANCE and TEXT");
                    }
                    r.add(new Send(address(cl, actions.get(i + 1)), actions.get(i + 2)));
                    i += 2;
                }
                case "ping" -> {
                    if (i + 3 >= actions.size()) throw new CommandLine.ParameterException(cl, "ping needs TYPE:INSTANCE COUNT SIZE");
                    int size = count(cl, actions.get(i + 3), 66000);
                    if (size < 4) throw new CommandLine.ParameterException(cl, "ping SIZE must be at least 4 (the number)");
                    r.add(new Ping(service(cl, actions.get(i + 1)), count(cl, actions.get(i + 2), 10_000_000), size));
                    i += 3;
                }
                case "link-set", "bearer-set" -> {
                    if (i + 3 >= actions.size()) throw new CommandLine.ParameterException(cl, a + " needs PROP VALUE NAME");
                    io.jtipc.api.LinkProperty prop;
                    try {
                        prop = io.jtipc.api.LinkProperty.valueOf(actions.get(i + 1).toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
                    } catch (IllegalArgumentException e) {
                        throw new CommandLine.ParameterException(cl, a + ": PROP is tolerance, priority or window");
                    }
                    r.add(new SetProp(a.equals("bearer-set"), prop, count(cl, actions.get(i + 2), 30000), actions.get(i + 3)));
                    i += 3;
                }
                case "sleep" -> {
                    if (i + 1 >= actions.size()) throw new CommandLine.ParameterException(cl, "sleep needs SECONDS");
                    r.add(new Sleep(seconds(cl, actions.get(++i), "sleep")));
                }
                case "kernel" -> {
                    if (i + 1 >= actions.size()) throw new CommandLine.ParameterException(cl, "kernel needs COMMAND");
                    r.add(new Kernel(actions.get(++i)));
                }
                case "kernel-echo" -> {
                    if (i + 1 >= actions.size()) throw new CommandLine.ParameterException(cl, "kernel-echo needs TYPE:INSTANCE");
                    r.add(new KernelEcho(service(cl, actions.get(++i))));
                }
                case "kernel-ping" -> {
                    if (i + 3 >= actions.size()) {
                        throw new CommandLine.ParameterException(cl, "kernel-ping needs TYPE:INSTANCE COUNT SIZE");
                    }
                    r.add(new KernelPing(service(cl, actions.get(i + 1)), count(cl, actions.get(i + 2), 1_000_000),
                            count(cl, actions.get(i + 3), 66000)));
                    i += 3;
                }
                default -> throw new CommandLine.ParameterException(cl, "unknown action '" + a
                        + "' (links, link-stats, nametable, send TYPE:INSTANCE TEXT, ping TYPE:INSTANCE COUNT SIZE, link-set "
                        + "PROP VALUE LINK, bearer-set PROP VALUE BEARER, sleep SECONDS, connect TYPE:INSTANCE, listen "
                        + "TYPE:INSTANCE, subscribe TYPE:LOWER:UPPER, group-bcast COUNT TEXT, kernel COMMAND, kernel-echo "
                        + "TYPE:INSTANCE, kernel-ping TYPE:INSTANCE COUNT SIZE; see 'jtipc node --help')");
            }
        }
        return r;
    }

    private static TipcAddress address(CommandLine cl, String s) {
        try {
            return TipcAddress.parse(s);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage());
        }
    }

    private static TipcAddress service(CommandLine cl, String s) {
        TipcAddress a = address(cl, s);
        if (a.kind() != TipcAddress.Kind.SERVICE) throw new CommandLine.ParameterException(cl, "want TYPE:INSTANCE, got " + s);
        return a;
    }

    private static int count(CommandLine cl, String s, int max) {
        try {
            int n = Integer.parseInt(s);
            if (n < 0 || n > max) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new CommandLine.ParameterException(cl, "bad number '" + s + "' (0-" + max + ")");
        }
    }

    private static double seconds(CommandLine cl, String s, String what) {
        try {
            double d = Double.parseDouble(s);
            if (d < 0 || Double.isNaN(d) || d > 1e6) throw new NumberFormatException();
            return d;
        } catch (NumberFormatException e) {
            throw new CommandLine.ParameterException(cl, what + ": bad number of seconds '" + s + "'");
        }
    }

    /** Longest time a seconds option takes (as the sleep action): more would overflow a Duration in ms later. */
    static final double MAX_SECONDS = 1e6;

    /** Checks the value {@code v} of the seconds option {@code name}: a finite number from 0 to {@link #MAX_SECONDS}. */
    private static void secondsOption(CommandLine cl, String name, double v) {
        if (!(v >= 0 && v <= MAX_SECONDS)) { // false for NaN too
            throw new CommandLine.ParameterException(cl, name + " takes seconds from 0 to " + (long) MAX_SECONDS + ", not " + v);
        }
    }

    private static Duration dur(double s) {
        return Duration.ofMillis((long) (s * 1000));
    }

    @Override
    public Integer call() throws Exception {
        CommandLine cl = spec.commandLine();
        PrintWriter err = cl.getErr();
        if (config != null) NodeConfigFile.apply(cl, config);
        if (identity == null) throw new CommandLine.ParameterException(cl, "give --identity (or 'identity = ID' in --config FILE)");
        secondsOption(cl, "--wait-link", waitLink);
        secondsOption(cl, "--timeout", timeout);
        secondsOption(cl, "--for", runFor);
        secondsOption(cl, "--wait", connWait);
        List<Action> todo = parseActions(cl);
        // connect/listen own standard output (the connection's bytes only): every status line goes to stderr then
        PrintWriter out = todo.stream().anyMatch(a -> a instanceof ConnStep c && c.step().pipesStdout()) ? err : cl.getOut();
        TipcAddress echoAddr = echo == null ? null : address(cl, echo);
        if (echoAddr != null && echoAddr.kind() == TipcAddress.Kind.SOCKET) {
            throw new CommandLine.ParameterException(cl, "--echo takes TYPE:INSTANCE or TYPE:LOWER:UPPER");
        }
        if (echoConn != null && address(cl, echoConn).kind() != TipcAddress.Kind.SERVICE) {
            throw new CommandLine.ParameterException(cl, "--echo-conn takes TYPE:INSTANCE");
        }
        if (group != null && address(cl, group).kind() != TipcAddress.Kind.SERVICE) {
            throw new CommandLine.ParameterException(cl, "--group takes TYPE:MEMBER");
        }
        if (group == null && todo.stream().anyMatch(a -> a instanceof GroupBcast)) {
            throw new CommandLine.ParameterException(cl, "group-bcast needs --group TYPE:MEMBER");
        }
        configureLogging(verbose);
        io.jtipc.lab.KernelVersion kv = null;
        if (labVersion != null) {
            try {
                kv = io.jtipc.lab.KernelVersion.parse(labVersion);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(cl, e.getMessage());
            }
        } else {
            if (bearers.isEmpty()) throw new CommandLine.ParameterException(cl, "give --bearer (or --lab VERSION)");
            for (Action a : todo) {
                if (a instanceof Kernel || a instanceof KernelEcho || a instanceof KernelPing) {
                    throw new CommandLine.ParameterException(cl, "kernel actions need --lab");
                }
            }
        }
        if (keyFile != null) {
            if (key != null) throw new CommandLine.ParameterException(cl, "--key and --key-file exclude each other");
            try {
                key = readNodeKey(keyFile);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(cl, e.getMessage());
            }
        }
        if (key == null && (keyMaster || keyNode != null || rekeying != null)) {
            throw new CommandLine.ParameterException(cl, "--key-master, --key-node and --rekeying need --key or --key-file");
        }
        if (keyMaster && keyNode != null) throw new CommandLine.ParameterException(cl, "--key-master and --key-node exclude each other");
        // the node takes at most 3 bearers (MAX_BEARERS); --lab adds eth:jt0 to the given ones
        int maxBearers = kv == null ? 3 : 2;
        if (bearers.size() > maxBearers) {
            throw new CommandLine.ParameterException(cl, kv == null ? "at most 3 bearers, got " + bearers.size()
                    : "at most 3 bearers: --lab adds eth:jt0, so at most 2 --bearer, got " + bearers.size());
        }
        try {
            withKey(TipcNode.builder().identity(identity).clusterId(cluster).netns(netns).bearer(bearers.isEmpty() ? "eth:x" : bearers.get(0)));
            for (String s : bearers) io.jtipc.api.BearerSpec.parse(s, null);
            if (capture != null) TipcNode.builder().capture(capture, captureSize, captureFiles); // checks the bounds
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage());
        }
        if (kv == null) {
            return runNode(null, null, todo, echoAddr, out, err);
        }
        java.util.Optional<String> why = io.jtipc.lab.Lab.unavailableReason();
        if (why.isPresent()) {
            err.println("jtipc node: --lab: " + why.get());
            return 1;
        }
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("jtipc-node-lab-");
        io.jtipc.lab.LabOptions options = io.jtipc.lab.LabOptions.defaults("node").withWorkDir(dir).withProgress(line -> {
            err.println("lab: " + line);
            err.flush();
        });
        try (io.jtipc.lab.Lab lab = io.jtipc.lab.Lab.create(options)) {
            io.jtipc.lab.PacketCapture pcap = capture == null ? null : lab.capture(capture.toAbsolutePath());
            io.jtipc.lab.Veth veth = lab.addVeth("jt0");
            io.jtipc.lab.KernelNode k = lab.boot(kv);
            k.setIdentity(k.name()).enableEthBearer();
            out.println("LAB " + lab.netns() + ": kernel node " + k.name() + " (" + k.kernelRelease() + ", " + k.mac()
                    + "), jtipc on " + veth.name() + " (" + veth.mac() + ")");
            out.flush();
            bearers = new ArrayList<>(bearers);
            bearers.add(0, "eth:" + veth.name());
            netns = veth.netns();
            int rc = runNode(lab, k, todo, echoAddr, out, err);
            if (pcap != null) {
                // tcpdump hands frames over in ring blocks of up to ~1 s and drops what it has not read when
                // stopped: give it time to see the node's last frames (RESET, peer stopping). Immediate mode would
                // avoid the wait but makes tcpdump lose frames on a loaded 2-core machine (seen in the lab).
                Thread.sleep(2000);
                out.println("CAPTURE " + pcap.stop());
            }
            return rc;
        } catch (io.jtipc.lab.LabException e) {
            err.println("jtipc node: lab: " + e.getMessage());
            return 1;
        }
    }

    /** Largest {@code --key-file} read, bytes: a key line is at most 74 characters, comments fit in the rest. */
    static final int KEY_FILE_MAX_BYTES = 4096;

    /**
     * The key of a {@code --key-file}: its one line that is neither blank nor a '#' comment, as {@code --key} takes it
     * (checked by the builder like --key's).
     *
     * @throws IllegalArgumentException naming the file, never its content: no such or not a regular file, larger than
     *                                  {@link #KEY_FILE_MAX_BYTES}, not private to the user (owner, mode 600: as ssh
     *                                  checks a private key), no key line or more than one
     */
    static String readNodeKey(java.nio.file.Path file) {
        byte[] raw = io.jtipc.cli.pcap.PrivateFile.read(file, KEY_FILE_MAX_BYTES, "key file").privateBytes();
        String found = null;
        for (String l : new String(raw, StandardCharsets.UTF_8).split("\r?\n", -1)) { // a text key is its UTF-8 bytes
            String k = l.strip();
            if (k.isEmpty() || k.startsWith("#")) continue;
            if (found != null) throw new IllegalArgumentException("key file " + file + " holds more than one key line");
            found = k;
        }
        java.util.Arrays.fill(raw, (byte) 0);
        if (found == null) throw new IllegalArgumentException("key file " + file + " holds no key");
        return found;
    }

    /** --key and its companions on a builder (the key string as 'tipc node set key' takes it). */
    private TipcNode.Builder withKey(TipcNode.Builder b) {
        if (key == null) return b;
        if (keyMaster) b.masterKey(key);
        else if (keyNode != null) b.key(key, keyNode);
        else b.key(key);
        if (rekeying != null) b.rekeying(rekeying);
        return b;
    }

    private int runNode(io.jtipc.lab.Lab lab, io.jtipc.lab.KernelNode k, List<Action> todo, TipcAddress echoAddr,
                        PrintWriter out, PrintWriter err) throws Exception {
        long t0 = System.nanoTime();
        TipcNode.Builder b = withKey(TipcNode.builder().identity(identity).clusterId(cluster).netns(netns));
        for (String s : bearers) b.bearer(s);
        if (capture != null && lab == null) b.capture(capture, captureSize, captureFiles);
        List<io.jtipc.lab.GuestJob> jobs = new ArrayList<>();
        CountDownLatch failed = new CountDownLatch(1); // the node failed, or SIGTERM/SIGINT (svc.signal())
        ServiceMode[] service = new ServiceMode[1];
        SdNotify systemd = SdNotify.fromEnvironment(); // a Type=notify unit: READY=1 once up, STOPPING=1 at the stop
        java.util.concurrent.atomic.AtomicReference<SdWatchdog> watchdog = new java.util.concurrent.atomic.AtomicReference<>();
        Runnable stopping = () -> { // WatchdogSec= pings end before STOPPING=1 (whoever stops first, under one lock)
            synchronized (watchdog) {
                SdWatchdog w = watchdog.getAndSet(null);
                if (w != null) w.close();
                systemd.stopping(err);
            }
        };
        // link events are told under the node's core lock: printed by a thread of their own, never blocking the core
        try (AsyncLines linkLines = new AsyncLines(out, "jtipc-link-lines"); TipcNode node = b.start(); ServiceMode svc = ServiceMode.start(node, control, failed,
                Thread.currentThread(), err)) {
            service[0] = svc;
            svc.onSignal(stopping); // before the signal's close: STOPPING=1 "beginning its shutdown"
            out.println("NODE " + node.identity() + " address " + Integer.toHexString(node.address()) + " cluster " + cluster);
            out.flush();
            node.addStateListener((st, cause) -> {
                // DEGRADED: a bearer's receive thread died (the node runs on); FAILED: the node closed, so do we
                synchronized (out) {
                    out.println("NODE " + st + ": " + cause);
                    out.flush();
                }
                if (st == io.jtipc.api.TipcNodeState.FAILED) failed.countDown();
            });
            // a link may come up while the node starts, before the listener is there: the links already up are
            // printed after adding it, unless the listener has told of the link already (up or down since); each up once
            java.util.Map<String, Boolean> told = new java.util.HashMap<>();
            node.addLinkListener(new LinkListener() {
                @Override
                public void linkUp(LinkInfo l) {
                    synchronized (told) {
                        if (Boolean.TRUE.equals(told.put(l.name(), true))) return; // the scan below printed it
                        linkLines.println("LINK up " + l.name());
                    }
                }

                @Override
                public void linkDown(LinkInfo l) {
                    synchronized (told) {
                        told.put(l.name(), false);
                        linkLines.println("LINK down " + l.name());
                    }
                }
            });
            for (LinkInfo l : node.links()) {
                synchronized (told) {
                    if (l.up() && told.putIfAbsent(l.name(), true) == null) linkLines.println("LINK up " + l.name());
                }
            }
            Thread echoThread = echoAddr == null ? null : RdmEcho.start(node, echoAddr, out).thread();
            Thread echoConnThread = echoConn == null ? null : ConnActions.startEchoConn(node, address(spec.commandLine(), echoConn), out);
            GroupAgent groupAgent = group == null ? null : GroupAgent.start(node, address(spec.commandLine(), group), out);
            synchronized (err) {
                err.println("READY identity " + node.identity() + " address " + Integer.toHexString(node.address())
                        + " cluster " + cluster + " control " + (svc.controlPath() == null ? "none" : svc.controlPath()));
                err.flush();
            }
            if (svc.signal() == null && systemd.send("READY=1\nSTATUS=identity " + node.identity() + " address "
                    + Integer.toHexString(node.address()) + " cluster " + cluster, err)) {
                synchronized (watchdog) { // not after a stop began: no ping may follow STOPPING=1
                    if (svc.signal() == null) {
                        watchdog.set(SdWatchdog.fromEnvironment(systemd, () -> SdWatchdog.nodeHealth(node), err));
                    }
                }
            }
            int rc = 0;
            try {
                if (waitLink > 0) {
                    try {
                        node.awaitLinkUp(dur(waitLink));
                    } catch (io.jtipc.api.TipcException e) {
                        if (svc.signal() != null) throw e; // the signal's close ended the wait: a clean stop
                        err.println("jtipc: no link came up within " + waitLink + " s (bearers " + bearers + ")");
                        return 1;
                    }
                }
                for (Action a : todo) {
                    if (a instanceof Links) {
                        out.print(node.linkList());
                    } else if (a instanceof LinkStats) {
                        for (LinkInfo l : node.links()) out.print(l.statShow());
                    } else if (a instanceof Nametable) {
                        out.print(node.nametableShow());
                    } else if (a instanceof Sleep s) {
                        Thread.sleep((long) (s.seconds() * 1000));
                    } else if (a instanceof Send s) {
                        rc |= send(node, s, out, err);
                    } else if (a instanceof GroupBcast gb) {
                        rc |= groupAgent.broadcast(gb.count(), gb.text(), GroupAgent.BCAST_TIMEOUT, err);
                    } else if (a instanceof Ping p) {
                        awaitService(node, p.at());
                        RdmPing.Result res = RdmPing.run(node, p.at(), p.count(), p.size(), dur(timeout));
                        out.println(res.line());
                        if (res.failure() != null) err.println("jtipc: ping: " + res.failure());
                        if (!res.ok()) rc = 1;
                    } else if (a instanceof SetProp sp) {
                        try {
                            if (sp.bearer()) node.setBearer(sp.name(), sp.prop(), sp.value());
                            else node.setLink(sp.name(), sp.prop(), sp.value());
                            out.println((sp.bearer() ? "BEARER " : "LINK ") + sp.name() + " " + sp.prop().name().toLowerCase()
                                    + " " + sp.value());
                        } catch (io.jtipc.api.TipcException e) {
                            err.println("jtipc: " + e.getMessage());
                            rc = 1;
                        }
                    } else if (a instanceof ConnStep c) {
                        rc |= c.step().run(node, new ConnActions.Options(stream, connWait, timeout), out, err);
                    } else if (a instanceof Kernel kc) {
                        io.jtipc.lab.ExecResult r = k.exec(kc.command(), Duration.ofSeconds(120));
                        out.println(k.name() + "$ " + kc.command());
                        for (String l : r.lines()) out.println(l);
                        if (!r.ok()) {
                            err.println("jtipc node: '" + kc.command() + "' in " + k.name() + " failed (exit " + r.exitCode() + ")");
                            rc = 1;
                        }
                    } else if (a instanceof KernelEcho ke) {
                        io.jtipc.lab.GuestJob j = k.startAgent("rdm-echo", Integer.toUnsignedString(ke.at().type()),
                                Integer.toUnsignedString(ke.at().instance()));
                        jobs.add(j);
                        j.awaitReady(Duration.ofSeconds(60));
                        out.println(k.name() + ": READY rdm-echo " + ke.at());
                    } else if (a instanceof KernelPing kp) {
                        // the agent waits (topology subscription) until the service is known in the kernel
                        io.jtipc.lab.ExecResult r = k.agent(Duration.ofSeconds(300), "rdm-ping",
                                Integer.toUnsignedString(kp.at().type()), Integer.toUnsignedString(kp.at().instance()),
                                String.valueOf(kp.count()), String.valueOf(kp.size()), String.valueOf((long) (timeout * 1000)));
                        out.println(k.name() + "$ tipc-agent rdm-ping " + kp.at().type() + " " + kp.at().instance() + " "
                                + kp.count() + " " + kp.size());
                        List<String> ls = r.lines();
                        for (int i = 0; i < ls.size(); i++) {
                            if (ls.size() <= 12 || i < 5 || i >= ls.size() - 5) out.println(ls.get(i));
                            else if (i == 5) out.println("... (" + (ls.size() - 10) + " more lines)");
                        }
                        if (!r.ok()) rc = 1;
                    }
                    out.flush();
                }
                if (runFor > 0) {
                    long left = (long) (runFor * 1000) - (System.nanoTime() - t0) / 1_000_000;
                    if (left > 0) failed.await(left, TimeUnit.MILLISECONDS);
                } else if (todo.isEmpty() || todo.stream().allMatch(x -> x instanceof ConnStep c && c.step().background())) {
                    failed.await();
                }
            } catch (InterruptedException | java.io.IOException | RuntimeException e) {
                // after SIGTERM/SIGINT the node is closed under the actions: what fails then is the stop, not an error
                if (svc.signal() == null) throw e;
            }
            Thread.interrupted(); // a signal's interrupt must not disturb the close
            stopping.run();
            if (svc.signal() != null) {
                synchronized (err) {
                    err.println("jtipc node: " + svc.signal() + ": stopping (links reset with peer-stopping)");
                    err.flush();
                }
            }
            if (echoThread != null) echoThread.interrupt();
            if (echoConnThread != null) echoConnThread.interrupt();
            if (groupAgent != null) groupAgent.stop();
            if (failed.getCount() == 0 && svc.signal() == null) {
                err.println("jtipc: node failed: " + node.failure());
                return 1;
            }
            // a signal stops the node on purpose: exit 0 whatever the interrupted actions returned
            return svc.signal() != null ? 0 : rc;
        } catch (ServiceMode.ControlUnavailableException e) {
            err.println("jtipc node: " + e.getMessage()); // the control socket cannot be opened
            return 1;
        } finally {
            stopping.run(); // also on a failure path (no link within --wait-link, an exception)
            for (io.jtipc.lab.GuestJob j : jobs) j.close();
            if (service[0] != null && service[0].signal() != null) {
                synchronized (err) {
                    err.println("jtipc node: stopped");
                    err.flush();
                }
            }
        }
    }

    /** A script may send right after the link came up: gives a service's binding up to --timeout to arrive. */
    private void awaitService(TipcNode node, TipcAddress to) throws Exception {
        if (to.kind() == TipcAddress.Kind.SOCKET) return;
        try {
            node.awaitBinding(x -> x.type() == to.type() && Integer.compareUnsigned(x.lower(), to.upper()) <= 0
                    && Integer.compareUnsigned(to.lower(), x.upper()) <= 0, dur(timeout));
        } catch (io.jtipc.api.TipcException e) {
            // no such binding: the send reports EHOSTUNREACH
        }
    }

    private int send(TipcNode node, Send s, PrintWriter out, PrintWriter err) throws Exception {
        awaitService(node, s.to());
        try (TipcSocket sock = TipcSocket.rdm(node)) {
            sock.setDestDroppable(false);
            byte[] data = s.text().getBytes(StandardCharsets.UTF_8);
            sock.send(s.to(), data);
            out.println("SENT " + data.length + " bytes to " + s.to());
            out.flush();
            TipcMessage m = sock.receive(dur(timeout));
            if (m == null) {
                out.println("NO REPLY within " + timeout + " s");
            } else if (m.isReturned()) {
                out.println("RETURNED errcode " + m.errcode() + " from " + m.source());
                return 1;
            } else {
                // a peer chose these bytes: escaped (no newline, no ESC reaches the console)
                out.println("REPLY " + m.payload().length + " bytes from " + m.source() + ": " + m.payloadText());
            }
            return 0;
        } catch (io.jtipc.api.TipcException e) {
            err.println("jtipc: " + e.getMessage());
            return 1;
        }
    }

    /** slf4j-simple: INFO (DEBUG with -v) to stderr, short lines; only if not configured by the user. */
    static void configureLogging(boolean verbose) {
        setIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", verbose ? "debug" : "info");
        setIfAbsent("org.slf4j.simpleLogger.logFile", "System.err");
        setIfAbsent("org.slf4j.simpleLogger.showDateTime", "true");
        setIfAbsent("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");
        setIfAbsent("org.slf4j.simpleLogger.showShortLogName", "true");
        setIfAbsent("org.slf4j.simpleLogger.showThreadName", "false");
    }

    private static void setIfAbsent(String k, String v) {
        if (System.getProperty(k) == null) System.setProperty(k, v);
    }
}
