/**
 * The sans-IO TIPC protocol core (Linux 6.1 {@code net/tipc}): neighbour discovery ({@link io.jtipc.node.Discoverer},
 * discover.c), the unicast link ({@link io.jtipc.node.Link}, link.c), peer nodes and the node FSM
 * ({@link io.jtipc.node.Peer}, node.c), the broadcast receive link ({@link io.jtipc.node.BroadcastLink}, bcast.c),
 * binding-table distribution through the nametable module's {@code NameDistributor} (name_distr.c) and
 * connectionless sockets (socket.c), all behind the {@link io.jtipc.node.NodeCore} façade.
 *
 * <h2>Contract</h2>
 * <pre>{@code
 * NodeCore core = new NodeCore(NodeConfig.of(NodeId.parse("my-node"), random, seed));
 * int bearer = core.enableBearer(nowMs, BearerConfig.ethernet("eth0", mac), outbox);
 * // event loop (one thread):
 * core.onFrame(nowMs, bearer, srcMac, buf, off, len, outbox);  // every received TIPC frame
 * if (nowMs >= core.nextDeadline()) core.onTimer(nowMs, outbox);
 * int port = core.openSocket(NodeCore.SocketType.RDM, delivery -> ...);
 * core.bind(nowMs, port, Tipc.TIPC_CLUSTER_SCOPE, 1000, 1, 1, outbox);
 * core.sendToName(nowMs, port, 1000, 1, 0, data, 0, data.length, outbox);
 * }</pre>
 * {@link io.jtipc.node.Outbox#send} receives (bearer id, destination media address or null for broadcast,
 * frame bytes valid during the call). No clock, thread or socket is used inside; all randomness comes from
 * {@link io.jtipc.node.NodeConfig} (or {@link io.jtipc.node.NodeCore#setSessionSource}).
 */
package io.jtipc.node;
