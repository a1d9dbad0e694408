package io.jtipc.cli.control;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.jtipc.api.Binding;
import io.jtipc.api.LinkInfo;
import io.jtipc.api.LinkMonitorSummary;
import io.jtipc.api.LinkProperty;
import io.jtipc.api.PeerInfo;
import io.jtipc.api.SocketInfo;
import io.jtipc.api.TipcException;
import io.jtipc.api.TipcNode;
import io.jtipc.cli.control.ControlServer.Reply;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The commands of the control channel, in iproute2 {@code tipc}'s vocabulary and text layout, each with
 * {@code --json} (one compact JSON document; keys in snake_case as {@code jtipc pcap --json} names them: "name",
 * "state", "mtu", "tolerance_ms", "node_addr" (hex), "packets", "retransmissions", "resets"). Runs a request against
 * a {@link TipcNode}; every failure is a {@link Reply} (never an exception), and a peer-supplied string in an error
 * is escaped by the server.
 */
public final class ControlCommands {
    /** The usage text of the control commands (for {@code jtipc --help} and bad requests). */
    public static final String USAGE = String.join("\n",
        "link list",
        "link stat show [link NAME]",
        "link stat reset [link NAME]",
        "link set tolerance|priority|window VALUE link NAME",
        "link monitor summary|list          (neighbour monitoring, monitor.c)",
        "link monitor set threshold N",
        "bearer list",
        "bearer enable SPEC                  (SPEC as 'jtipc node --bearer' takes it:",
        "                                     eth:IFACE or udp:LOCALIP[:PORT],...)",
        "bearer disable [name] NAME",
        "bearer add name NAME remoteip IP [remoteport PORT]",
        "nametable show",
        "node list",
        "node set key KEY [algname gcm(aes)] [master | nodeid ID] [rekeying N|now]",
        "                                    (KEY as 'tipc node set key': 0x and hex,",
        "                                     or text; - reads it from standard input)",
        "node set key rekeying MINUTES|now",
        "node flush key",
        "socket list",
        "peer remove address ADDR            (ADDR: a node hash as 'node list' shows)",
        "each with --json");

    /** Examples of the control commands, each line at most 78 columns (shown indented by 2 in 80). */
    public static final String EXAMPLES = String.join("\n",
        "jtipc link list                        # the one node of the default directory",
        "jtipc --node a link stat show --json   # node 'a' (identity or socket path)",
        "jtipc link set tolerance 3000 link a:ua-b:ub",
        "jtipc bearer add name ub remoteip 127.0.0.2",
        "jtipc nametable show --json | head -1");

    private static final JsonFactory JSON = new JsonFactory();

    private final TipcNode node;

    public ControlCommands(TipcNode node) {
        this.node = node;
    }

    /** Runs one request (its arguments, {@code --json} anywhere among them). */
    public Reply execute(List<String> request) {
        List<String> a = new ArrayList<>(request);
        boolean json = a.remove("--json");
        try {
            return dispatch(a, json);
        } catch (TipcException e) {
            return json ? jsonError(e.getMessage()) : Reply.error(e.getMessage());
        } catch (IOException e) {
            return Reply.error(e.getMessage() == null ? e.toString() : e.getMessage());
        } catch (IllegalArgumentException e) {
            return Reply.usage(e.getMessage());
        }
    }

    private static Reply jsonError(String message) {
        return new Reply(Reply.Status.ERR, json(g -> g.writeStringField("error", message)), message);
    }

    private Reply dispatch(List<String> a, boolean json) throws IOException {
        String cmd = String.join(" ", a.subList(0, Math.min(2, a.size())));
        switch (cmd) {
            case "link list" -> {
                end(a, 2);
                List<LinkInfo> ls = node.links();
                if (!json) return Reply.ok(node.linkList());
                return Reply.ok(json(g -> {
                    g.writeArrayFieldStart("links");
                    for (LinkInfo l : ls) {
                        g.writeStartObject();
                        g.writeStringField("name", l.name());
                        g.writeBooleanField("up", l.up());
                        g.writeStringField("state", l.state());
                        g.writeEndObject();
                    }
                    g.writeEndArray();
                }));
            }
            case "link stat" -> {
                return linkStat(a, json);
            }
            case "link set" -> {
                if (a.size() != 6 || !a.get(4).equals("link")) {
                    throw usage("link set tolerance|priority|window|broadcast|broadcast-ratio VALUE link NAME");
                }
                LinkProperty p;
                try {
                    p = LinkProperty.valueOf(a.get(2).toUpperCase(Locale.ROOT).replace('-', '_'));
                } catch (IllegalArgumentException e) {
                    throw usage("link set: PROPERTY is tolerance, priority, window, broadcast or broadcast-ratio, not '"
                            + a.get(2) + "'");
                }
                node.setLink(a.get(5), p, number(a.get(3), "VALUE"));
                return done(json);
            }
            case "link monitor" -> {
                return linkMonitor(a, json);
            }
            case "bearer list" -> {
                end(a, 2);
                List<String> bs = node.bearerNames();
                if (!json) return Reply.ok(bs.isEmpty() ? "" : String.join("\n", bs) + "\n");
                return Reply.ok(json(g -> {
                    g.writeArrayFieldStart("bearers");
                    for (String b : bs) {
                        g.writeStartObject();
                        g.writeStringField("name", b);
                        g.writeEndObject();
                    }
                    g.writeEndArray();
                }));
            }
            case "bearer enable" -> {
                if (a.size() != 3) throw usage("bearer enable SPEC");
                String name = node.addBearer(a.get(2));
                return json ? Reply.ok(json(g -> g.writeStringField("name", name))) : Reply.ok("");
            }
            case "bearer disable" -> {
                if (a.size() == 4 && a.get(2).equals("name")) node.removeBearer(a.get(3));
                else if (a.size() == 3) node.removeBearer(a.get(2));
                else throw usage("bearer disable [name] NAME");
                return done(json);
            }
            case "bearer add" -> {
                return bearerAdd(a, json);
            }
            case "nametable show" -> {
                end(a, 2);
                if (!json) return Reply.ok(node.nametableShow());
                List<Binding> bs = node.bindings();
                return Reply.ok(json(g -> {
                    g.writeArrayFieldStart("bindings");
                    for (Binding b : bs) {
                        g.writeStartObject();
                        writeRange(g, b);
                        g.writeStringField("scope", b.scope());
                        g.writeNumberField("port", Integer.toUnsignedLong(b.port()));
                        g.writeStringField("node_addr", Integer.toHexString(b.node()));
                        g.writeStringField("node", b.nodeName());
                        g.writeEndObject();
                    }
                    g.writeEndArray();
                }));
            }
            case "node list" -> {
                end(a, 2);
                return nodeList(json);
            }
            case "node set" -> {
                return nodeSetKey(a, json);
            }
            case "node flush" -> {
                if (a.size() != 3 || !a.get(2).equals("key")) throw usage("node flush key");
                node.flushKeys();
                return done(json);
            }
            case "socket list" -> {
                end(a, 2);
                return socketList(json);
            }
            case "peer remove" -> {
                if (a.size() != 4 || !a.get(2).equals("address")) throw usage("peer remove address ADDR");
                int addr;
                try {
                    addr = Integer.parseUnsignedInt(a.get(3).startsWith("0x") ? a.get(3).substring(2) : a.get(3), 16);
                } catch (NumberFormatException e) {
                    throw usage("peer remove: ADDR is a node hash in hex (as 'node list' shows it), not '" + a.get(3) + "'");
                }
                node.removePeer(addr);
                return done(json);
            }
            // at most the first two words: the rest may hold a key (node set key KEY) the server does not know
            default -> throw usage(a.isEmpty() ? "missing command" : "unknown command '"
                + String.join(" ", a.subList(0, Math.min(2, a.size()))) + (a.size() > 2 ? " ...'" : "'"));
        }
    }

    private Reply linkStat(List<String> a, boolean json) throws TipcException {
        if (a.size() < 3) throw usage("link stat show|reset [link NAME]");
        String name = null;
        if (a.size() == 5 && a.get(3).equals("link")) name = a.get(4);
        else if (a.size() != 3) throw usage("link stat " + a.get(2) + " [link NAME]");
        switch (a.get(2)) {
            case "reset" -> {
                node.resetLinkStats(name);
                return done(json);
            }
            case "show" -> {
                List<LinkInfo> ls = new ArrayList<>();
                for (LinkInfo l : node.links()) if (name == null || l.name().equals(name)) ls.add(l);
                if (name != null && ls.isEmpty()) throw new TipcException(io.jtipc.api.TipcError.EINVAL, "link stat show: no link " + name);
                if (!json) {
                    StringBuilder sb = new StringBuilder();
                    for (LinkInfo l : ls) sb.append(l.statShow());
                    return Reply.ok(sb.toString());
                }
                return Reply.ok(json(g -> {
                    g.writeArrayFieldStart("links");
                    for (LinkInfo l : ls) writeLinkStats(g, l);
                    g.writeEndArray();
                }));
            }
            default -> throw usage("link stat show|reset [link NAME], not '" + a.get(2) + "'");
        }
    }

    private static void writeLinkStats(JsonGenerator g, LinkInfo l) throws IOException {
        g.writeStartObject();
        g.writeStringField("name", l.name());
        g.writeBooleanField("up", l.up());
        g.writeStringField("state", l.state());
        g.writeStringField("bearer", l.bearer());
        g.writeStringField("peer", l.peerId());
        g.writeStringField("node_addr", Integer.toHexString(l.peerNode()));
        g.writeNumberField("mtu", l.mtu());
        g.writeNumberField("tolerance_ms", l.tolerance());
        g.writeNumberField("window", l.window());
        g.writeObjectFieldStart("rx");
        g.writeNumberField("packets", l.packetsReceived());
        g.writeNumberField("duplicates", l.duplicates());
        g.writeEndObject();
        g.writeObjectFieldStart("tx");
        g.writeNumberField("packets", l.packetsSent());
        g.writeNumberField("states", l.statesSent());
        g.writeNumberField("naks", l.nacksSent());
        g.writeNumberField("retransmissions", l.retransmitted());
        g.writeEndObject();
        g.writeObjectFieldStart("queues");
        g.writeNumberField("transmit", l.transmitQueue());
        g.writeNumberField("backlog", l.backlog());
        g.writeNumberField("deferred", l.deferred());
        g.writeNumberField("deferred_bytes", l.deferredBytes());
        g.writeEndObject();
        g.writeObjectFieldStart("limits");
        g.writeNumberField("deferred_dropped", l.deferredDropped());
        g.writeNumberField("reassembly_errors", l.reassemblyErrors());
        g.writeNumberField("backlog_overflows", l.backlogOverflows());
        g.writeNumberField("peer_socket_overloads", l.socketOverloads());
        g.writeEndObject();
        g.writeNumberField("resets", l.resets());
        if (!l.lastResetReason().isEmpty()) g.writeStringField("last_reset", l.lastResetReason());
        g.writeEndObject();
    }

    private Reply bearerAdd(List<String> a, boolean json) throws TipcException {
        // tipc bearer add media udp name NAME remoteip IP remoteport PORT ("media udp" optional here)
        List<String> r = new ArrayList<>(a.subList(2, a.size()));
        if (r.size() >= 2 && r.get(0).equals("media")) {
            if (!r.get(1).equals("udp")) throw usage("bearer add: only UDP bearers take remote peers");
            r = r.subList(2, r.size());
        }
        String name = null, ip = null;
        int port = 6118;
        for (int i = 0; i + 1 < r.size(); i += 2) {
            switch (r.get(i)) {
                case "name" -> name = r.get(i + 1);
                case "remoteip" -> ip = r.get(i + 1);
                case "remoteport" -> port = number(r.get(i + 1), "remoteport");
                default -> throw usage("bearer add: unknown option '" + r.get(i) + "'");
            }
        }
        if (r.size() % 2 != 0 || name == null || ip == null || port < 1 || port > 65535) {
            throw usage("bearer add name NAME remoteip IP [remoteport PORT]");
        }
        if (!isIpLiteral(ip)) throw usage("bearer add: remoteip is an IP address literal, not '" + ip + "'");
        InetSocketAddress remote;
        try {
            remote = new InetSocketAddress(InetAddress.getByName(ip), port); // a literal: parsed, never looked up
        } catch (java.net.UnknownHostException e) {
            throw usage("bearer add: bad remoteip '" + ip + "'");
        }
        boolean added = node.addUdpRemote(name, remote);
        return json ? Reply.ok(json(g -> g.writeBooleanField("added", added))) : Reply.ok("");
    }

    /**
     * True for an IPv4 dotted quad (four decimal parts 0-255, no leading zeros) or a string of hex digits, '.' and
     * ':' holding a ':' (an IPv6 literal, or one InetAddress rejects): InetAddress.getByName parses these without a
     * DNS lookup. A host name such as "cafe" or "dead.beef" is false.
     */
    static boolean isIpLiteral(String ip) {
        if (ip.contains(":")) return ip.matches("[0-9a-fA-F.:]+");
        String[] parts = ip.split("\\.", -1);
        if (parts.length != 4) return false;
        for (String part : parts) {
            if (!part.matches("0|[1-9][0-9]{0,2}") || Integer.parseInt(part) > 255) return false;
        }
        return true;
    }

    private Reply nodeList(boolean json) throws TipcException {
        List<PeerInfo> ns = node.nodes();
        if (json) {
            return Reply.ok(json(g -> {
                g.writeArrayFieldStart("nodes");
                for (PeerInfo p : ns) {
                    g.writeStartObject();
                    g.writeStringField("identity", p.identity());
                    g.writeStringField("node_addr", Integer.toHexString(p.address()));
                    g.writeBooleanField("up", p.up());
                    g.writeBooleanField("self", p.self());
                    g.writeEndObject();
                }
                g.writeEndArray();
            }));
        }
        // iproute2 tipc/node.c cmd_node_list / node_list_cb
        StringBuilder sb = new StringBuilder("Node Identity                    Hash     State\n");
        for (PeerInfo p : ns) {
            String id = p.identity().isEmpty() ? Integer.toHexString(p.address()) : p.identity();
            sb.append(String.format("%-32s %08x %s%n", id, p.address(), p.up() ? "up" : "down"));
        }
        return Reply.ok(sb.toString());
    }

    private Reply socketList(boolean json) throws TipcException {
        List<SocketInfo> ss = node.sockets();
        if (json) {
            return Reply.ok(json(g -> {
                g.writeArrayFieldStart("sockets");
                for (SocketInfo s : ss) {
                    g.writeStartObject();
                    g.writeNumberField("port", Integer.toUnsignedLong(s.port()));
                    g.writeArrayFieldStart("bindings");
                    for (Binding b : s.bindings()) {
                        g.writeStartObject();
                        writeRange(g, b);
                        g.writeStringField("scope", b.scope());
                        g.writeEndObject();
                    }
                    g.writeEndArray();
                    if (s.connected()) {
                        g.writeObjectFieldStart("connected");
                        g.writeStringField("node_addr", Integer.toHexString(s.peerNode()));
                        g.writeNumberField("port", Integer.toUnsignedLong(s.peerPort()));
                        if (s.connType() >= 0) {
                            g.writeNumberField("type", s.connType());
                            g.writeNumberField("instance", Integer.toUnsignedLong(s.connInstance()));
                        }
                        g.writeEndObject();
                    }
                    g.writeEndObject();
                }
                g.writeEndArray();
            }));
        }
        // iproute2 tipc/socket.c sock_list_cb: the port, then where it is connected or what it is bound to
        StringBuilder sb = new StringBuilder();
        for (SocketInfo s : ss) {
            sb.append("socket ").append(Integer.toUnsignedString(s.port())).append('\n');
            if (s.connected()) {
                sb.append("\tconnected to ").append(Integer.toHexString(s.peerNode())).append(':')
                    .append(Integer.toUnsignedString(s.peerPort()));
                if (s.connType() >= 0) sb.append(" via {").append(s.connType()).append(',')
                    .append(Integer.toUnsignedString(s.connInstance())).append('}');
                sb.append('\n');
            } else {
                for (Binding b : s.bindings()) {
                    sb.append("\tbound to {").append(Integer.toUnsignedString(b.type())).append(',')
                        .append(Integer.toUnsignedString(b.lower())).append(',').append(Integer.toUnsignedString(b.upper()))
                        .append("}\n");
                }
            }
        }
        return Reply.ok(sb.toString());
    }

    private static void writeRange(JsonGenerator g, Binding b) throws IOException {
        g.writeNumberField("type", Integer.toUnsignedLong(b.type()));
        g.writeNumberField("lower", Integer.toUnsignedLong(b.lower()));
        g.writeNumberField("upper", Integer.toUnsignedLong(b.upper()));
    }

    /**
     * {@code node set key KEY [algname gcm(aes)] [master | nodeid ID] [rekeying MINUTES|now]} and {@code node set key
     * rekeying MINUTES|now}, iproute2 tipc's grammar (tipc/node.c cmd_node_set_key; the kernel sets the key, then the
     * rekeying, node.c __tipc_nl_node_set_key). No error message holds the key or a property's value: a mistyped
     * property might be part of the key.
     */
    private Reply nodeSetKey(List<String> a, boolean json) throws TipcException {
        String grammar = "node set key KEY [algname gcm(aes)] [master | nodeid ID] [rekeying N|now] | node set key rekeying N|now";
        if (a.size() < 4 || !a.get(2).equals("key")) throw usage(grammar);
        boolean keyGiven = !a.get(3).equals("rekeying");
        String kind = "cluster";
        String rekeying = null;
        for (int i = keyGiven ? 4 : 3; i < a.size(); i += 2) {
            String p = a.get(i);
            boolean value = i + 1 < a.size();
            if (keyGiven && p.equals("master") && kind.equals("cluster")) {
                kind = "master";
                i--; // a flag, no value
            } else if (keyGiven && p.equals("nodeid") && value && kind.equals("cluster")) {
                kind = a.get(i + 1);
                if (kind.equals("cluster") || kind.equals("master")) { // the API's kind words (TipcNode#setKey)
                    throw usage("node set key: nodeid " + kind + ": give that identity in hex (32 digits)");
                }
            } else if (keyGiven && p.equals("algname") && value) {
                if (!a.get(i + 1).equals("gcm(aes)")) throw usage("node set key: algname is gcm(aes), the kernel's one AEAD");
            } else if (p.equals("rekeying") && value && rekeying == null) {
                rekeying = a.get(i + 1);
            } else {
                throw usage("node set key: after KEY come [algname gcm(aes)], one of master or nodeid ID, and "
                    + "[rekeying N|now]; argument " + (i + 1) + " is none of them");
            }
        }
        long minutes = 0;
        if (rekeying != null && !rekeying.equals("now")) {
            try {
                minutes = Long.parseLong(rekeying);
            } catch (NumberFormatException e) {
                throw usage("node set key rekeying: MINUTES is 0 (never) to 4294967295 (now, as ~0U), or now");
            }
            if (minutes < 0 || minutes > 0xffff_ffffL) {
                throw usage("node set key rekeying: MINUTES is 0 (never) to 4294967295 (now, as ~0U), or now");
            }
        }
        if (keyGiven) node.setKey(a.get(3), kind);
        if (rekeying != null && rekeying.equals("now")) node.rekeyNow();
        else if (rekeying != null) node.setRekeying(minutes);
        return done(json);
    }

    private static Reply done(boolean json) {
        return Reply.ok(json ? json(g -> g.writeBooleanField("ok", true)) : "");
    }

    /** {@code link monitor summary|list|set threshold N}: each bearer's neighbour monitor (TipcNode#linkMonitors). */
    private Reply linkMonitor(List<String> a, boolean json) throws IOException {
        String sub = a.size() > 2 ? a.get(2) : "";
        if (sub.equals("set")) {
            if (a.size() != 5 || !a.get(3).equals("threshold")) throw usage("link monitor set threshold N");
            node.setMonitorThreshold(number(a.get(4), "N"));
            return done(json);
        }
        if (!sub.equals("summary") && !sub.equals("list")) throw usage("link monitor summary|list|set threshold N");
        end(a, 3);
        boolean list = sub.equals("list");
        List<LinkMonitorSummary> ms = node.linkMonitors();
        if (!json) {
            StringBuilder sb = new StringBuilder();
            for (LinkMonitorSummary m : ms) {
                sb.append(m).append('\n');
                if (!list) continue;
                for (LinkMonitorSummary.Peer p : m.peers()) {
                    sb.append("  ").append(Integer.toHexString(p.address())).append(p.up() ? " up" : " down")
                        .append(p.monitored() ? " direct" : " indirect").append(" generation ").append(p.domainGeneration())
                        .append(" applied ").append(p.applied()).append('/').append(p.members().size())
                        .append(" up_map ").append(Long.toHexString(p.upMap())).append('\n');
                }
            }
            return Reply.ok(sb.toString());
        }
        return Reply.ok(json(g -> {
            g.writeArrayFieldStart("monitors");
            for (LinkMonitorSummary m : ms) {
                g.writeStartObject();
                g.writeStringField("bearer", m.bearer());
                g.writeStringField("node", Integer.toHexString(m.selfAddress()));
                g.writeNumberField("cluster_size", m.peerCount());
                g.writeNumberField("threshold", m.threshold());
                g.writeBooleanField("active", m.active());
                g.writeNumberField("monitored", m.monitored());
                g.writeNumberField("list_gen", m.listGeneration());
                g.writeNumberField("dom_gen", m.domainGeneration());
                g.writeNumberField("rejected_records", m.rejectedRecords());
                g.writeNumberField("record_bytes", m.recordBytes());
                g.writeNumberField("probes_sent", m.probesSent());
                if (list) {
                    g.writeArrayFieldStart("peers");
                    for (LinkMonitorSummary.Peer p : m.peers()) {
                        g.writeStartObject();
                        g.writeStringField("node", Integer.toHexString(p.address()));
                        g.writeBooleanField("up", p.up());
                        g.writeBooleanField("head", p.head());
                        g.writeBooleanField("local", p.local());
                        g.writeNumberField("generation", p.domainGeneration());
                        g.writeNumberField("applied", p.applied());
                        g.writeNumberField("members", p.members().size());
                        g.writeStringField("up_map", Long.toHexString(p.upMap()));
                        g.writeEndObject();
                    }
                    g.writeEndArray();
                }
                g.writeEndObject();
            }
            g.writeEndArray();
        }));
    }

    private static void end(List<String> a, int n) {
        if (a.size() != n) throw usage(String.join(" ", a.subList(0, n)) + " takes no more arguments");
    }

    private static int number(String s, String what) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw usage(what + " must be a number, not '" + s + "'");
        }
    }

    private static IllegalArgumentException usage(String message) {
        return new IllegalArgumentException(message);
    }

    private interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    /** One compact JSON object holding what {@code body} writes, and a newline. */
    private static String json(Body body) {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(w)) {
            g.writeStartObject();
            body.write(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w + "\n";
    }
}
