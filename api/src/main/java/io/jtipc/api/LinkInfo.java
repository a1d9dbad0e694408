package io.jtipc.api;

/**
 * A snapshot of one link (what {@code tipc link list} and {@code tipc link stat show} print for it).
 *
 * @param name          the kernel's link name "own-id:own-if-peer-id:peer-if" (link.c tipc_link_create)
 * @param state         link FSM state: RESETTING, RESET, PEER_RESET, ESTABLISHING or ESTABLISHED
 * @param up            true when ESTABLISHED
 * @param peerNode      the peer's 32-bit node address
 * @param peerId        the peer's node identity string
 * @param bearer        the bearer name, e.g. "eth:veth0"
 * @param mtu           negotiated link MTU, bytes
 * @param tolerance     link tolerance, ms
 * @param window        current congestion window, packets
 * @param sndNxt        next sequence number to send (16 bits)
 * @param rcvNxt        next sequence number expected (16 bits)
 * @param transmitQueue packets sent and not yet acknowledged
 * @param backlog       packets waiting for the window
 * @param deferred      out-of-order packets held
 * @param retransmitted packets retransmitted
 * @param duplicates    duplicate packets received
 * @param statesSent    STATE messages sent
 * @param packetsSent   sequenced packets sent (link.c stats sent_pkts)
 * @param packetsReceived sequenced packets received (recv_pkts)
 * @param nacksSent     STATE messages sent reporting a gap
 */
public record LinkInfo(String name, String state, boolean up, int peerNode, String peerId, String bearer, int mtu,
                       int tolerance, int window, int sndNxt, int rcvNxt, int transmitQueue, int backlog, int deferred,
                       long retransmitted, long duplicates, long statesSent, long packetsSent,
                       long packetsReceived, long nacksSent) {
    /** {@code NAME: up} / {@code NAME: down}, as {@code tipc link list} prints a link. */
    @Override
    public String toString() {
        return name + ": " + (up ? "up" : "down");
    }
}
