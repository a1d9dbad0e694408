/**
 * The sans-IO TIPC protocol core (Linux 6.1 {@code net/tipc}), each class one concern of one kernel file: neighbour
 * discovery and the
 * address trial ({@link io.jtipc.node.Discoverer}, discover.c), peer nodes and the node FSM
 * ({@link io.jtipc.node.Node} and {@code NodeTable}, node.c), the unicast link
 * ({@link io.jtipc.node.Link}, link.c), the broadcast receive link ({@link io.jtipc.node.BroadcastLink}, bcast.c),
 * message building ({@code Msg}, msg.c), sockets ({@code SocketTable} and {@link io.jtipc.node.ConnSocket}, socket.c),
 * the topology server ({@link io.jtipc.node.TopologyServer}, topsrv.c) and binding-table distribution through the
 * nametable module's {@code NameDistributor} (name_distr.c), all behind the {@link io.jtipc.node.NodeCore} façade
 * (core.c, net.c). node/README.md maps every class to its kernel file.
 *
 * <h2>Contract</h2>
 * <pre>{@code
 * NodeCore core = new NodeCore(NodeConfig.of(NodeId.parse("my-node"), random, seed));
 * int bearer = core.enableBearer(nowMs, BearerConfig.ethernet("eth0", mac), outbox);
 * // event loop (one thread):
 * core.onFrame(nowMs, bearer, srcMac, buf, off, len, outbox);  // every received TIPC frame
 * if (nowMs >= core.nextDeadline()) core.onTimer(nowMs, outbox);
 * int port = core.openSocket(SocketType.RDM, delivery -> ...);
 * core.bind(nowMs, port, Tipc.TIPC_CLUSTER_SCOPE, 1000, 1, 1, outbox);
 * core.sendToName(nowMs, port, 1000, 1, 0, data, 0, data.length, outbox);
 * }</pre>
 * {@link io.jtipc.node.Outbox#send} receives (bearer id, destination media address or null for broadcast,
 * frame bytes valid during the call). No clock, thread or socket is used inside; all randomness comes from
 * {@link io.jtipc.node.NodeConfig} (or {@link io.jtipc.node.NodeCore#setSessionSource}).
 */
package io.jtipc.node;
