package io.jtipc.lab;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A veth pair giving one jtipc node its own segment port (one TIPC node per MAC address): {@link #name()}
 * is the end a jtipc Ethernet bearer binds (AF_PACKET) or a UDP bearer uses (it carries
 * {@link #ipv4()}); {@link #bridgePort()} is the other end, enslaved to the lab bridge. Both stay in
 * the lab's network namespace {@link #netns()}: the process using the interface must run there —
 * start it with {@link #command(String...)} (i.e. under {@code ip netns exec}).
 *
 * @param name         the interface the jtipc node uses, e.g. {@code jt0}
 * @param bridgePort   the end on the bridge, e.g. {@code jt0-br}
 * @param netns        the lab's network namespace
 * @param mac          the MAC address of {@code name} (locally administered, unique in the lab)
 * @param ipv4         the IPv4 address of {@code name}, without prefix
 * @param prefixLength the prefix length of the lab subnet
 */
public record Veth(String name, String bridgePort, String netns, String mac, String ipv4, int prefixLength) {

    /** {@code ip netns exec NETNS COMMAND...}: a command line that runs in the lab's namespace. */
    public List<String> command(String... command) {
        List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", netns));
        c.addAll(Arrays.asList(command));
        return c;
    }

    /** A process builder for {@link #command(String...)}. */
    public ProcessBuilder processBuilder(String... command) {
        return new ProcessBuilder(command(command));
    }
}
