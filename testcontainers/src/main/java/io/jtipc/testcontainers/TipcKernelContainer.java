package io.jtipc.testcontainers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Device;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.LazyFuture;

import io.jtipc.lab.KernelVersion;

/**
 * A Linux kernel TIPC node in a container, with the lab's {@code tipc-agent} and iproute2's {@code tipc}:
 *
 * <pre>{@code
 * try (TipcNetwork net = TipcNetwork.newNetwork();
 *      TipcKernelContainer k = new TipcKernelContainer("6.1").withNetwork(net)) {
 *     k.start();
 *     k.execInNode("tipc-agent rdm-echo 18888 1 quiet >/dev/null 2>&1 &");
 *     // a TipcNode with bearer net.jtipcBearer() now links with k.identity()
 * }
 * }</pre>
 *
 * <h2>Modes</h2>
 * <ul>
 *   <li>{@link Mode#QEMU}: the image {@link TipcImages#kernelPeerImage} boots Debian's cloud kernel of the asked
 *       line (5.10, 6.1, 6.12) under {@code qemu-system-x86_64 -accel tcg} inside the container; the guest's NIC is
 *       bridged through a tap onto the container's {@code eth0}, so the guest sits on the Docker network at L2 and
 *       takes the container's IPv4 address. Needs NET_ADMIN and {@code /dev/net/tun} (given here). Boot: about
 *       5-20 s on two cores.</li>
 *   <li>{@link Mode#NATIVE}: the Docker host's kernel has {@code tipc.ko} loaded: the container's own network
 *       namespace is the TIPC node (NET_ADMIN given here), no qemu; its kernel is the host's, whatever line was
 *       asked for.</li>
 *   <li>{@link Mode#AUTO} (default): the system property {@value #MODE_PROPERTY} or the environment variable
 *       {@value #MODE_ENV} ({@code native}/{@code qemu}) when set, else native when this host (the Docker host,
 *       as the Ethernet bearer on its bridge assumes) has {@code /sys/module/tipc}, else qemu.</li>
 * </ul>
 * Once started the node has the TIPC identity {@link #identity()} and an Ethernet bearer on its {@code eth0}
 * (both configurable: {@link #withIdentity}, {@link #withoutBearer}). Containers carry the label
 * {@value TipcImages#LABEL}.
 */
public class TipcKernelContainer extends GenericContainer<TipcKernelContainer> {
    /** The system property that picks the mode of {@link Mode#AUTO} containers. */
    public static final String MODE_PROPERTY = "jtipc.testcontainers.mode";
    /** The environment variable that picks the mode of {@link Mode#AUTO} containers (after the property). */
    public static final String MODE_ENV = "JTIPC_TESTCONTAINERS_MODE";
    /** Longest wait for the kernel node to be up (qemu TCG boot + the control server), default. */
    public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofMinutes(2);
    /**
     * Containers one {@link #start()} tries when a boot fails (a guest panic under a loaded host, say): each failed
     * one is removed before the next (not Testcontainers' own startup attempts, which leave it behind without Ryuk).
     */
    public static final int STARTUP_ATTEMPTS = 2;
    /** Longest run of one {@link #execInNode} command, default (the guest kills it then). */
    public static final Duration DEFAULT_EXEC_TIMEOUT = Duration.ofSeconds(120);
    /** Guest memory in qemu mode, MiB (the lab's default). */
    public static final int DEFAULT_MEMORY_MB = 256;
    /**
     * Longest {@link #execInNode} command, in UTF-8 bytes: the guest's {@code tipc-agent serve} reads one request
     * line into an 8192-byte buffer ({@code RUN <id> <timeout_ms> <command>\n}) and drops longer lines;
     * {@code tipc-node-exec} checks the same limit.
     */
    public static final int MAX_COMMAND_BYTES = 8000;
    /** Exit code of {@code tipc-node-exec} when the node's control server cannot be reached. */
    static final int EXEC_UNREACHABLE = 125;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** How the kernel node runs. */
    public enum Mode { AUTO, NATIVE, QEMU }

    private final KernelVersion version;
    private final Mode mode;
    private String identity;
    private boolean bearer = true;
    private Duration execTimeout = DEFAULT_EXEC_TIMEOUT;

    /**
     * A kernel node of line {@code kernelVersion} ("5.10", "6.1", "6.12", or a Debian suite name) in
     * {@link Mode#AUTO}.
     *
     * @throws IllegalArgumentException for an unknown line
     */
    public TipcKernelContainer(String kernelVersion) {
        this(KernelVersion.parse(kernelVersion), Mode.AUTO);
    }

    /** A kernel node of {@code version} in {@code mode}. */
    public TipcKernelContainer(KernelVersion version, Mode mode) {
        super(new LazyFuture<String>() {
            @Override
            protected String resolve() {
                return TipcImages.kernelPeerImage(version);
            }
        });
        this.version = version;
        this.mode = resolve(mode);
        byte[] r = new byte[3];
        RANDOM.nextBytes(r);
        this.identity = "k" + version.label().replace(".", "") + "-" + HexFormat.of().formatHex(r);
        withEnv("JTIPC_MODE", this.mode == Mode.NATIVE ? "native" : "qemu");
        withEnv("JTIPC_MEMORY_MB", String.valueOf(DEFAULT_MEMORY_MB));
        withLabels(DockerCleanup.labels("kernel"));
        waitingFor(new KernelReadyWait(DEFAULT_STARTUP_TIMEOUT));
        withCreateContainerCmdModifier(cmd -> {
            var host = cmd.getHostConfig();
            host.withCapAdd(Capability.NET_ADMIN);
            // the segment carries TIPC only: no IPv6 autoconfiguration traffic from the container's interfaces
            host.withSysctls(Map.of("net.ipv6.conf.all.disable_ipv6", "1", "net.ipv6.conf.default.disable_ipv6", "1"));
            if (this.mode == Mode.QEMU) host.withDevices(Device.parse("/dev/net/tun"));
            cmd.withHostName(identity);
        });
    }

    private static Mode resolve(Mode asked) {
        if (asked != Mode.AUTO) return asked;
        String s = System.getProperty(MODE_PROPERTY);
        if (s == null || s.isBlank()) s = System.getenv(MODE_ENV);
        if (s != null && !s.isBlank() && !s.equalsIgnoreCase("auto")) {
            return Mode.valueOf(s.trim().toUpperCase(Locale.ROOT));
        }
        return Files.isDirectory(Path.of("/sys/module/tipc")) ? Mode.NATIVE : Mode.QEMU;
    }

    /**
     * The TIPC node identity (as {@code tipc node set identity}, at most 16 characters; default
     * {@code kVV-XXXXXX}, e.g. {@code k61-3fa2c1}); also the container's host name and the guest's.
     *
     * @throws IllegalArgumentException when longer than 16 characters or not [A-Za-z0-9._-]
     * @throws IllegalStateException once started
     */
    public TipcKernelContainer withIdentity(String id) {
        if (getContainerId() != null) throw new IllegalStateException("already started");
        if (!id.matches("[A-Za-z0-9._-]{1,16}")) {
            throw new IllegalArgumentException("bad TIPC identity '" + id + "': 1-16 of [A-Za-z0-9._-]");
        }
        this.identity = id;
        return this;
    }

    /** Leaves TIPC unconfigured at start: no identity set, no bearer (configure it with {@link #execInNode}). */
    public TipcKernelContainer withoutBearer() {
        this.bearer = false;
        return this;
    }

    /**
     * Longest run of one {@link #execInNode} command (default {@link #DEFAULT_EXEC_TIMEOUT}); whole milliseconds.
     *
     * @throws IllegalArgumentException when not positive (at least 1 ms) or longer than 2^31-1 ms
     */
    public TipcKernelContainer withExecTimeout(Duration timeout) {
        if (timeout.toMillis() < 1 || timeout.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("exec timeout must be 1 ms .. 2^31-1 ms: " + timeout);
        }
        this.execTimeout = timeout;
        return this;
    }

    /** The TIPC node identity ({@link #withIdentity}). */
    public String identity() {
        return identity;
    }

    /** The kernel line asked for (in native mode the node runs the Docker host's kernel instead). */
    public KernelVersion kernelVersion() {
        return version;
    }

    /** {@link Mode#NATIVE} or {@link Mode#QEMU}: how this container runs its node. */
    public Mode mode() {
        return mode;
    }

    /**
     * Starts the container and waits for the kernel node (its console's {@code JTIPC-LAB: ready} line; a guest panic,
     * a failed module or an exited container fail the attempt at once), then sets its identity and
     * enables its Ethernet bearer; a failed attempt's container is removed and, up to {@link #STARTUP_ATTEMPTS}
     * in all, a fresh one is started.
     *
     * @throws org.testcontainers.containers.ContainerLaunchException the last attempt's failure
     * @throws IllegalStateException when the container is not on a {@link TipcNetwork} (on Docker's default bridge
     *                               the node would have NAT to the outside and share a segment with other containers),
     *                               or the image build fails (not retried)
     */
    @Override
    public void start() {
        requireTipcNetwork();
        TipcImages.kernelPeerImage(version); // a failed build fails here, once, without a retry
        for (int attempt = 1; ; attempt++) {
            try {
                super.start();
                return;
            } catch (RuntimeException e) {
                if (!(e instanceof org.testcontainers.containers.ContainerLaunchException)) {
                    stop(); // not a failed launch (Testcontainers wraps those): no retry, but nothing left behind
                    throw e;
                }
                String console = "";
                try {
                    if (getContainerId() != null) console = KernelReadyWait.tail(getLogs());
                } catch (RuntimeException ignored) {
                    // the container is gone already: no console to show
                }
                stop();
                if (attempt >= STARTUP_ATTEMPTS) {
                    throw new org.testcontainers.containers.ContainerLaunchException(identity + ": the kernel node did not start ("
                            + attempt + " attempts); console tail of the last:\n" + console, e);
                }
                logger().warn("{}: start attempt {} failed, trying a fresh container: {}", identity, attempt, e.toString());
            }
        }
    }

    @Override
    protected void containerIsCreated(String containerId) {
        DockerCleanup.registerContainer(containerId);
    }

    /** Stops and removes the container (and forgets it for the JVM-exit clean-up). */
    @Override
    public void stop() {
        String id = getContainerId();
        super.stop();
        if (id != null) awaitRemoved(id);
        DockerCleanup.unregisterContainer(id);
    }

    /** How long {@link #stop()} waits for Docker to have removed the container (ms). */
    static final long REMOVE_WAIT_MS = 60_000;

    /**
     * Testcontainers' stop kills and removes the container but only logs (at debug) a removal that failed, which a
     * loaded host can make happen (the qemu process slow to die): the removal is retried until the container is gone.
     *
     * @throws IllegalStateException if the container still exists after {@link #REMOVE_WAIT_MS} ms
     */
    private static void awaitRemoved(String id) {
        long end = System.nanoTime() + REMOVE_WAIT_MS * 1_000_000;
        RuntimeException last = null;
        while (true) {
            try {
                TipcImages.docker().inspectContainerCmd(id).exec();
            } catch (com.github.dockerjava.api.exception.NotFoundException gone) {
                return;
            }
            if (System.nanoTime() > end) {
                throw new IllegalStateException("container " + id + " still exists " + REMOVE_WAIT_MS
                        + " ms after stop" + (last == null ? "" : ": " + last.getMessage()), last);
            }
            try {
                TipcImages.docker().removeContainerCmd(id).withForce(true).withRemoveVolumes(true).exec();
            } catch (com.github.dockerjava.api.exception.NotFoundException gone) {
                return;
            } catch (RuntimeException e) { // e.g. 409 removal already in progress: look again shortly
                last = e;
            }
            sleep(500);
        }
    }

    private void requireTipcNetwork() {
        if (!(getNetwork() instanceof TipcNetwork) || getNetworkMode() != null && !getNetworkMode().isEmpty()
                && !getNetworkMode().equals(getNetwork().getId())) {
            throw new IllegalStateException(identity + ": a TipcKernelContainer must be on a TipcNetwork "
                    + "(withNetwork(TipcNetwork.newNetwork())): internal, link-local, no route out; got "
                    + (getNetwork() == null ? "Docker's default bridge" : getNetwork().getClass().getName())
                    + (getNetworkMode() == null ? "" : ", network mode " + getNetworkMode()));
        }
    }

    @Override
    protected void configure() {
        requireTipcNetwork();
        withEnv("JTIPC_NAME", identity);
    }

    @Override
    protected void containerIsStarted(InspectContainerResponse info) {
        // the console said ready right before the control server opened its port: wait until it answers
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        ExecResult r;
        do {
            r = execInNodeResult("true");
            if (r.getExitCode() == 0) break;
            sleep(200);
        } while (System.nanoTime() < deadline);
        if (r.getExitCode() != 0) {
            throw new IllegalStateException(identity + ": the node's control server does not answer: " + r.getStderr()
                    + "\n--- console:\n" + getLogs());
        }
        if (bearer) {
            execInNode("tipc node set identity " + identity + " && tipc bearer enable media eth device eth0");
        }
    }

    /**
     * Runs {@code shellCommand} ({@code sh -c}) in the kernel node: the qemu guest (busybox, iproute2's
     * {@code tipc} and {@code tc} in /usr/sbin, {@code tipc-agent}), or the container in native mode.
     * A command that should keep running (an echo server) goes to the background with its output redirected:
     * {@code "tipc-agent rdm-echo 18888 1 quiet >/tmp/echo.log 2>&1 &"}.
     *
     * @return its output, stdout and stderr merged, lines ending in '\n'
     * @throws IllegalStateException when it exits non-zero, runs past the exec timeout (exit 124) or the node
     *                               cannot be reached; the message has the exit code and the output
     */
    public String execInNode(String shellCommand) {
        ExecResult r = execInNodeResult(shellCommand);
        if (r.getExitCode() != 0) {
            throw new IllegalStateException(identity + ": '" + shellCommand + "' exited with " + r.getExitCode()
                    + ":\n" + r.getStdout() + r.getStderr());
        }
        return r.getStdout();
    }

    /**
     * As {@link #execInNode} but returns the exit code and output whatever they are (stdout: the command's
     * output; stderr: {@code tipc-node-exec}'s own complaints). Exit code 124: the command ran past the exec
     * timeout, or the node did not answer within the timeout plus a margin (15 s); 125: the node's control server
     * cannot be reached.
     *
     * @throws IllegalArgumentException when the command holds a CR or LF (the control protocol is one request per
     *                                  line) or is longer than {@link #MAX_COMMAND_BYTES}
     */
    public ExecResult execInNodeResult(String shellCommand) {
        checkCommand(shellCommand);
        try {
            return execInContainer("tipc-node-exec", "-t", String.valueOf(execTimeout.toMillis()), shellCommand);
        } catch (IOException e) {
            throw new IllegalStateException(identity + ": docker exec failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(identity + ": interrupted", e);
        }
    }

    /** @throws IllegalArgumentException for a command the control protocol cannot carry as one line */
    static void checkCommand(String shellCommand) {
        if (shellCommand.isEmpty()) throw new IllegalArgumentException("empty command");
        if (shellCommand.indexOf('\n') >= 0 || shellCommand.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("CR or LF in a node command (one request per line): use ';' or '&&'");
        }
        int bytes = shellCommand.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (bytes > MAX_COMMAND_BYTES) {
            throw new IllegalArgumentException("node command of " + bytes + " bytes, longer than " + MAX_COMMAND_BYTES);
        }
    }

    /**
     * Enables a UDP bearer on the node's {@code eth0} address ({@code tipc bearer enable media udp name NAME localip
     * IP}: discovery by multicast to the cluster's group), in addition to the Ethernet one. A {@code TipcNode} joins
     * it with {@link TipcNetwork#jtipcUdpBearer()}.
     *
     * @param bearerName the bearer's name (e.g. {@code "u0"}; its link names read {@code udp:NAME})
     * @return the node's IPv4 address the bearer uses
     * @throws IllegalStateException when the node has no IPv4 address on eth0 or {@code tipc} fails
     */
    public String enableUdpBearer(String bearerName) {
        if (!bearerName.matches("[A-Za-z0-9_-]{1,15}")) throw new IllegalArgumentException("bad bearer name " + bearerName);
        String ip = nodeAddress();
        execInNode("tipc bearer enable media udp name " + bearerName + " localip " + ip);
        return ip;
    }

    /**
     * The node's IPv4 address on {@code eth0}: in qemu mode the guest's (it took the container's Docker address),
     * natively the container's.
     *
     * @throws IllegalStateException when eth0 has none
     */
    public String nodeAddress() {
        String out = execInNode("ip -4 addr show dev eth0").trim();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("inet (\\d+\\.\\d+\\.\\d+\\.\\d+)/").matcher(out);
        if (!m.find()) throw new IllegalStateException(identity + ": no IPv4 address on eth0: " + out);
        return m.group(1);
    }

    /** The node's {@code tipc link list} output lines. */
    public List<String> linkList() {
        return execInNode("tipc link list").lines().toList();
    }

    /**
     * Waits until the node has a link in state up whose name contains {@code peerIdentityPart} (e.g. a jtipc
     * node's identity).
     *
     * @throws IllegalStateException when none is up within {@code timeout}, with the last {@code tipc link list}
     */
    public TipcKernelContainer awaitLinkUp(String peerIdentityPart, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> links;
        do {
            links = linkList();
            if (links.stream().anyMatch(l -> l.contains(peerIdentityPart) && l.endsWith(": up"))) return this;
            sleep(250);
        } while (System.nanoTime() < deadline);
        throw new IllegalStateException(identity + ": no link up to '" + peerIdentityPart + "' within " + timeout
                + "; tipc link list:\n" + String.join("\n", links));
    }

    /** The containers this module started (label {@value TipcImages#LABEL}) that still exist, by id. */
    public static List<String> leftovers() {
        return TipcImages.docker().listContainersCmd().withShowAll(true)
                .withLabelFilter(List.of(TipcImages.LABEL)).exec().stream()
                .map(c -> c.getId()).toList();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
