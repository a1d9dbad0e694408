package io.jtipc.bearer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace owned by one test: {@code jtipc-test-<random>}, holding a veth pair va/vb with
 * fixed MACs. All test traffic stays inside it. {@link #close()} deletes it (deleting the namespace
 * also deletes the veth pair). A test kit, never published: bearer-common's
 * {@code src/testkit/java}, compiled with this module's tests and the bearer modules';
 * {@link #ip} and {@link #whyNotRunnable} serve tests that build another topology.
 */
public final class LabNetns implements AutoCloseable {
    public static final String VA = "va";
    public static final String VB = "vb";
    public static final String MAC_A = "02:00:5e:10:00:0a";
    public static final String MAC_B = "02:00:5e:10:00:0b";

    /** The namespace's name under /var/run/netns. */
    public final String name;

    private LabNetns(String name) {
        this.name = name;
    }

    /** Why root tests cannot run here, or null if they can. */
    public static String whyNotRunnable() {
        return whyNotRunnable("creates a network namespace and veth pair, opens AF_PACKET sockets: "
                + "CAP_SYS_ADMIN, CAP_NET_ADMIN, CAP_NET_RAW");
    }

    /**
     * Why a test that needs root and iproute2 cannot run here, or null if it can.
     *
     * @param what what the test does with root, for the skip reason
     */
    public static String whyNotRunnable(String what) {
        if (LibC.Native.libc().geteuid() != 0) {
            return "needs root (" + what + "); running as uid " + LibC.Native.libc().geteuid();
        }
        if (!Files.isExecutable(Path.of("/usr/sbin/ip")) && !Files.isExecutable(Path.of("/sbin/ip"))
                && !Files.isExecutable(Path.of("/usr/bin/ip")) && !Files.isExecutable(Path.of("/bin/ip"))) {
            return "needs the `ip` command (iproute2) to create a network namespace";
        }
        return null;
    }

    /** {@code PREFIX-<8 random hex digits>}, a fresh namespace name. */
    public static String randomName(String prefix) {
        byte[] r = new byte[4];
        new SecureRandom().nextBytes(r);
        return String.format("%s-%02x%02x%02x%02x", prefix, r[0], r[1], r[2], r[3]);
    }

    /** Creates the namespace and a veth pair va (MAC_A) / vb (MAC_B), both up, with MTU {@code mtu}. */
    public static LabNetns create(int mtu) throws IOException {
        String name = randomName("jtipc-test");
        LabNetns ns = new LabNetns(name);
        try {
            ip("netns", "add", name);
            ns.ipIn("link", "add", "name", VA, "address", MAC_A, "mtu", Integer.toString(mtu), "type", "veth",
                    "peer", "name", VB, "address", MAC_B, "mtu", Integer.toString(mtu));
            ns.ipIn("link", "set", VA, "up");
            ns.ipIn("link", "set", VB, "up");
            ns.awaitOperational(VA);
            ns.awaitOperational(VB);
            return ns;
        } catch (IOException | RuntimeException e) {
            ns.close();
            throw e;
        }
    }

    /**
     * Waits (up to 10 s) until {@code dev} is operationally up and has its real qdisc: until the kernel's linkwatch
     * work ran for it, a new veth keeps {@code noop_qdisc}, which drops every frame sent (a first frame right after
     * {@link #create} was lost that way on a loaded host).
     *
     * @throws IOException if it is not up after 10 s (the last {@code ip link show} in the message)
     */
    public void awaitOperational(String dev) throws IOException {
        long end = System.nanoTime() + 10_000_000_000L;
        String last = "";
        while (System.nanoTime() < end) {
            last = ip("-n", name, "link", "show", "dev", dev);
            if (last.contains("state UP") && !last.contains("qdisc noop")) {
                return;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted waiting for " + dev + " to come up", e);
            }
        }
        throw new IOException(dev + " in " + name + " not operational after 10 s: " + last.strip());
    }

    /** Runs {@code ip -n NAME args...}. */
    public void ipIn(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("-n", name));
        cmd.addAll(List.of(args));
        ip(cmd.toArray(new String[0]));
    }

    /** Runs {@code ip args...} and returns its output. @throws IOException if it fails or takes over 20 s */
    public static String ip(String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add("ip");
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out: " + cmd);
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IOException(cmd + " exited " + p.exitValue() + ": " + out.trim());
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + cmd, e);
        }
    }

    /** True if {@code ip netns list} shows a namespace of that name. */
    public static boolean exists(String name) throws IOException {
        for (String line : ip("netns", "list").split("\n")) {
            String first = line.trim().split("\\s+")[0];
            if (first.equals(name)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() throws IOException {
        if (exists(name)) {
            ip("netns", "del", name);
        }
    }
}
