package io.jtipc.node;

/**
 * What one link holds on its peer's behalf, measured against the node's budgets ({@code HoldBudget}: jtipc bounds
 * the kernel does not have), and the drops and resets the bounds caused, since the link was created. A snapshot
 * from {@link Link#holdStats()}.
 *
 * @param deferredBytes    bytes of out-of-order packets held (at most 8 MiB per link, 64 MiB per node)
 * @param deferredDropped  out-of-order packets not kept because the link's or the node's deferred budget was full;
 *                         each was asked for again by NACK (the kernel bounds this queue by its window alone)
 * @param reassemblyBytes  bytes held in fragment reassembly (at most 66000 per link, 32 MiB per node)
 * @param reassemblyErrors fragment reassembly failures (malformed sequence, too large, budget full); each reset the
 *                         link (link.c tipc_link_input)
 * @param backlogBytes     bytes of the messages in the backlog (at most 16 MiB per link, more on a large MTU;
 *                         128 MiB per node)
 * @param backlogOverflows messages refused because the backlog was full (SYSTEM importance limit or the byte bound);
 *                         each reset the link (node.c tipc_node_xmit on ENOBUFS)
 * @param resets           times the link went down after being up, for any reason (each logged once)
 * @param lastResetReason  why it last went down ("" if never), e.g. "peer reset (RESET, session 3)"
 * @param reassemblyRefused in-sequence fragments refused unacknowledged because the node-wide reassembly total was
 *                         full (the peer resends them; no reset)
 */
public record LinkHoldStats(long deferredBytes, long deferredDropped, long reassemblyBytes, long reassemblyErrors,
                            long backlogBytes, long backlogOverflows, long resets, String lastResetReason,
                            long reassemblyRefused) {
}
