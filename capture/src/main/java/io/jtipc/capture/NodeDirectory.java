package io.jtipc.capture;

import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Node identities learnt from a capture: every LINK_CONFIG (discovery) message maps its sender's node
 * address (w3 prevnode) to the 16-byte node identity that follows its 60-byte header, and its media
 * source endpoint to that address; an encrypted discovery frame also carries the identity in its
 * 28-byte encryption header. Later sightings overwrite earlier ones (address trial may change them).
 *
 * <p>The "hash" of a node, as {@code tipc node list} prints it, is its 32-bit node address in hex
 * (in 128-bit identity mode the address is derived from a hash of the identity, net/tipc/addr.c).
 */
public final class NodeDirectory {
    private final Map<Integer, byte[]> idByAddr = new LinkedHashMap<>();
    private final Map<Integer, String> idStringByAddr = new HashMap<>();
    private final Map<MediaEndpoint, Integer> addrByEndpoint = new HashMap<>();

    /** Records that {@code addr} has node identity {@code id[off..off+16)}. */
    public void learn(int addr, byte[] id, int off) {
        if (addr == 0) return;
        // most discovery messages repeat what the last few said: no boxing, no map lookup then
        for (int i = 0; i < 4; i++) {
            if (recentIdAddr[i] == addr && recentId[i] != null) {
                if (Arrays.equals(recentId[i], 0, 16, id, off, off + 16)) return;
                break;
            }
        }
        byte[] old = idByAddr.get(addr);
        if (old != null && Arrays.equals(old, 0, 16, id, off, off + 16)) {
            rememberId(addr, old);
            return;
        }
        byte[] copy = Arrays.copyOfRange(id, off, off + 16);
        idByAddr.put(addr, copy);
        idStringByAddr.put(addr, idString(copy, 0));
        version++;
        rememberId(addr, copy);
    }

    // the identities learnt last (each the current value of idByAddr for its address)
    private final int[] recentIdAddr = new int[4];
    private final byte[][] recentId = new byte[4][];
    private int recentIdNext;

    private void rememberId(int addr, byte[] id) {
        for (int i = 0; i < 4; i++) {
            if (recentIdAddr[i] == addr && recentId[i] != null) {
                recentId[i] = id;
                return;
            }
        }
        recentIdAddr[recentIdNext] = addr;
        recentId[recentIdNext] = id;
        recentIdNext = (recentIdNext + 1) & 3;
    }

    private int version;
    // the endpoints seen last with their addresses: most frames repeat them (no boxing, no hashing)
    private final MediaEndpoint[] recentEp = new MediaEndpoint[4];
    private final int[] recentAddr = new int[4];
    private int recentNext;

    /** Changes whenever an identity is learnt or replaced (callers caching {@link #label} compare it). */
    public int version() { return version; }

    /** Records that frames from media endpoint {@code e} come from node {@code addr}. */
    public void learnEndpoint(MediaEndpoint e, int addr) {
        if (e == null || e == MediaEndpoint.UNKNOWN || addr == 0) return;
        for (int i = 0; i < 4; i++) if (recentEp[i] == e && recentAddr[i] == addr) return;
        if (e.isBroadcastOrMulticast()) return;
        Integer old = addrByEndpoint.get(e);
        if (old == null || old != addr) {
            addrByEndpoint.put(e, addr);
            Arrays.fill(recentEp, null);
        }
        remember(e, addr);
    }

    private void remember(MediaEndpoint e, int addr) {
        recentEp[recentNext] = e;
        recentAddr[recentNext] = addr;
        recentNext = (recentNext + 1) & 3;
    }

    /** Node identity string of {@code nodeAddr} (tipc_nodeid2string rules), or null if not learnt. */
    public String idString(int nodeAddr) { return idStringByAddr.get(nodeAddr); }

    /** A copy of the 16-byte identity of {@code nodeAddr}, or null if not learnt. */
    public byte[] nodeId(int nodeAddr) {
        byte[] id = idByAddr.get(nodeAddr);
        return id == null ? null : id.clone();
    }

    /** Node address learnt for media endpoint {@code e}, or 0 if none. */
    public int addressOf(MediaEndpoint e) {
        if (e == null) return 0;
        for (int i = 0; i < 4; i++) if (recentEp[i] == e) return recentAddr[i];
        if (e.isBroadcastOrMulticast()) return 0; // never learnt
        Integer a = addrByEndpoint.get(e);
        int addr = a == null ? 0 : a;
        remember(e, addr);
        return addr;
    }

    /** The node's hash as {@code tipc node list} prints it: the address in lower-case hex, no padding. */
    public static String hash(int nodeAddr) { return Integer.toHexString(nodeAddr); }

    /** "srv-node/1001002" when the identity is known, else just the hash; "?" for address 0. */
    public String label(int nodeAddr) {
        if (nodeAddr == 0) return "?";
        String id = idStringByAddr.get(nodeAddr);
        return id == null ? hash(nodeAddr) : id + "/" + hash(nodeAddr);
    }

    /** All learnt addresses in first-seen order (unmodifiable view). */
    public Iterable<Integer> addresses() { return Collections.unmodifiableSet(idByAddr.keySet()); }

    /** Number of nodes with a known identity. */
    public int size() { return idByAddr.size(); }

    /**
     * Node identity as text (net/tipc/addr.c tipc_nodeid2string): if every byte is NUL or one of
     * [0-9A-Za-z.:_-@] the identity is the text up to its first NUL; otherwise 32 lower-case hex digits
     * with trailing '0' digits stripped (the last digit is always kept).
     */
    public static String idString(byte[] id, int off) {
        return io.jtipc.wire.NodeId.toString(id, off);
    }
}
