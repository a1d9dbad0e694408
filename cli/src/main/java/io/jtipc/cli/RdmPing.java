package io.jtipc.cli;

import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;

import io.jtipc.api.TipcAddress;
import io.jtipc.api.TipcException;
import io.jtipc.api.TipcMessage;
import io.jtipc.api.TipcNode;
import io.jtipc.api.TipcSocket;

/**
 * The {@code ping TYPE:INSTANCE COUNT SIZE} action of {@code jtipc node} (issue 12): sends COUNT RDM messages of SIZE
 * bytes (SIZE >= 4; bytes 0-3 the message number, big-endian, from 0) to an echo service ({@code --echo}) and counts
 * the echoes. At most {@link #WINDOW} messages are outstanding (sent, not yet echoed), so the echo's replies never meet
 * a congested link (it drops those rather than wait, see {@link RdmEcho}). It stops when every number came back or
 * when nothing came for the timeout.
 *
 * <p>Result line: {@code PING sent N echoed E lost L duplicated D reordered R}: E echoes received (duplicates
 * included), L numbers that never came back (returned messages included), D echoes of a number already seen, R echoes
 * of a number lower than one seen before.
 */
final class RdmPing {
    /** Messages outstanding at most. */
    static final int WINDOW = 64;

    /** The counts of one ping. */
    record Result(long sent, long echoed, long lost, long duplicated, long reordered, String failure) {
        /** True when everything was sent and came back once and in order. */
        boolean ok() {
            return failure == null && echoed == sent && lost == 0 && duplicated == 0 && reordered == 0;
        }

        String line() {
            return "PING sent " + sent + " echoed " + echoed + " lost " + lost + " duplicated " + duplicated
                + " reordered " + reordered;
        }
    }

    private RdmPing() {
    }

    /**
     * Runs one ping from a new RDM socket of {@code node}.
     *
     * @param timeout how long to wait for the next echo before giving up on the rest
     * @return the counts; {@link Result#failure} is the error that stopped the sending (e.g. EHOSTUNREACH), else null
     */
    static Result run(TipcNode node, TipcAddress to, int count, int size, Duration timeout)
        throws TipcException, InterruptedIOException {
        boolean[] seen = new boolean[count];
        long echoed = 0, dup = 0, reordered = 0;
        int distinct = 0, sent = 0, highest = -1;
        String failure = null;
        try (TipcSocket sock = TipcSocket.rdm(node)) {
            sock.setDestDroppable(false);
            while (distinct < count) {
                while (failure == null && sent < count && sent - distinct < WINDOW) {
                    byte[] m = new byte[size];
                    ByteBuffer.wrap(m).putInt(sent);
                    for (int i = 4; i < size; i++) m[i] = (byte) (sent + i);
                    try {
                        sock.send(to, m);
                    } catch (TipcException e) {
                        failure = e.getMessage();
                        break;
                    }
                    sent++;
                }
                if (sent == distinct) break; // nothing outstanding (sending stopped)
                TipcMessage r = sock.receive(timeout);
                if (r == null) break;
                byte[] p = r.payload();
                if (r.isReturned() || p.length < 4) continue;
                int n = ByteBuffer.wrap(p).getInt();
                if (n < 0 || n >= sent) continue; // not one of ours
                echoed++;
                if (seen[n]) {
                    dup++;
                } else {
                    seen[n] = true;
                    distinct++;
                }
                if (n < highest) reordered++;
                highest = Math.max(highest, n);
            }
        }
        return new Result(sent, echoed, count - distinct, dup, reordered, failure);
    }
}
