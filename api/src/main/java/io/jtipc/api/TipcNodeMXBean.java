package io.jtipc.api;

import java.util.List;

/**
 * JMX view of a running {@link TipcNode} ({@code io.jtipc:type=Node,node=IDENTITY}), registered when the node starts
 * and unregistered when it closes (see {@link NodeMBeans}; turned off with {@link TipcNode.Builder#jmx(boolean)}).
 */
public interface TipcNodeMXBean {
    /** The node identity (tipc node get identity). */
    String getIdentity();

    /** The 32-bit node address as 8 hex digits (tipc node get address). */
    String getAddress();

    /** Cluster (network) id (tipc node get netid). */
    int getClusterId();

    /** NEW, RUNNING, DEGRADED, FAILED or CLOSED ({@link TipcNode#state()}). */
    String getState();

    /** The enabled bearers' names, in bearer id order (tipc bearer list). */
    List<String> getBearers();

    /** Links now, up or not (count). */
    int getLinks();

    /** Links up now (count). */
    int getUpLinks();

    /** Frames the core dropped as malformed or unroutable, count ({@link TipcNode#droppedFrames()}). */
    long getDroppedFrames();

    /** Failed sends on any bearer, count ({@link TipcNode#sendErrors()}). */
    long getSendErrors();

    /** Sends that waited for a congested link, count ({@link TipcNode#congestionWaits()}). */
    long getCongestionWaits();

    /**
     * Zeroes the counters of every link ({@code tipc link stat reset} for each).
     *
     * @throws TipcException if the node is not running (once it failed, the exception names the cause)
     */
    void resetStats() throws TipcException;
}
