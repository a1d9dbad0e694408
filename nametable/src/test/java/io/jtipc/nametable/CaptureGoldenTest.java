package io.jtipc.nametable;

import static io.jtipc.wire.Tipc.TIPC_CLUSTER_SCOPE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcEvent;
import io.jtipc.wire.TipcMsg;
import io.jtipc.wire.TipcSubscr;

/**
 * Golden checks against the NAME_DISTRIBUTOR frames that two Linux 6.1 kernels exchanged in
 * samples/eth-6.1.pcap (srv-node 0x1d1d1248, cli-node 0x0d030d48).
 */
class CaptureGoldenTest {
    static final int SRV = 0x1d1d1248;
    static final int CLI = 0x0d030d48;

    /** Top-level (unbundled) TIPC user-11 messages of an Ethernet pcap, as raw TIPC message bytes. */
    static List<byte[]> rawNameDistributorFrames(String file) throws IOException {
        Path p = Path.of("../samples", file);
        if (!Files.exists(p)) {
            p = Path.of("samples", file);
        }
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(p)).order(ByteOrder.LITTLE_ENDIAN);
        b.position(24);
        List<byte[]> out = new ArrayList<>();
        TipcMsg m = new TipcMsg();
        while (b.remaining() >= 16) {
            b.getInt();
            b.getInt();
            int caplen = b.getInt();
            b.getInt();
            byte[] f = new byte[caplen];
            b.get(f);
            if (caplen < 14 + 24 || (f[12] & 0xFF) != 0x88 || (f[13] & 0xFF) != 0xCA) {
                continue;
            }
            m.wrap(f, 14, caplen - 14);
            if (m.version() != Tipc.VERSION || m.user() != Tipc.NAME_DISTRIBUTOR) {
                continue;
            }
            assertThat(m.validate().isOk()).isTrue();
            out.add(Arrays.copyOfRange(f, 14, 14 + m.size()));
        }
        return out;
    }

    /** The same frames decoded with the wire module's flyweight. */
    static List<DistrMessage> nameDistributorFrames(String file) throws IOException {
        List<DistrMessage> out = new ArrayList<>();
        for (byte[] raw : rawNameDistributorFrames(file)) {
            out.add(DistrMessage.fromWire(new TipcMsg().wrap(raw, 0, raw.length)));
        }
        return out;
    }

    /** Our encoding equals the kernel's bytes except the link-level words the link fills in (w1 15-0, w2). */
    @Test
    void encodingReproducesKernelBytes() throws IOException {
        for (byte[] raw : rawNameDistributorFrames("eth-6.1.pcap")) {
            DistrMessage d = DistrMessage.fromWire(new TipcMsg().wrap(raw, 0, raw.length));
            byte[] ours = new byte[d.encodedSize()];
            assertThat(d.encode(ours, 0)).isEqualTo(raw.length);
            byte[] theirs = raw.clone();
            Arrays.fill(theirs, 6, 12, (byte) 0); // w1 bits 15-0 (bcast ack), w2 (ack, seqno)
            if (d.destNode() == 0) {
                // sent on the broadcast medium: tipc_bearer_bc_xmit sets non_seq (w0 bit 20) and mc_netid (w5)
                assertThat(theirs[1] & 0x10).isEqualTo(0x10);
                theirs[1] &= ~0x10;
                assertThat(ByteBuffer.wrap(theirs, 20, 4).getInt()).isEqualTo(4711);
                Arrays.fill(theirs, 20, 24, (byte) 0);
            }
            assertThat(HexFormat.of().formatHex(ours)).isEqualTo(HexFormat.of().formatHex(theirs));
        }
        assertThatThrownBy(() -> DistrMessage.fromWire(new TipcMsg().wrap(new byte[40], 0, 40)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void kernelFramesApplyCleanlyOnBothSides() throws IOException {
        List<DistrMessage> frames = nameDistributorFrames("eth-6.1.pcap");
        assertThat(frames).hasSize(5);
        NameDistributor atSrv = new NameDistributor(new BindingTable(SRV));
        NameDistributor atCli = new NameDistributor(new BindingTable(CLI));
        List<SubscriptionEvent> events = new ArrayList<>();
        new TopologySubscriptions(atCli.table()).subscribe(TipcSubscr.TIPC_SUB_PORTS, 1000, 0, 5000,
                TipcSubscr.TIPC_WAIT_FOREVER, 0, events::add);
        for (DistrMessage m : frames) {
            (m.origNode() == SRV ? atCli : atSrv).receive(m);
        }
        for (NameDistributor d : List.of(atSrv, atCli)) {
            assertThat(d.rejectedItems()).isZero();
            assertThat(d.droppedStale()).isZero();
        }
        assertThat(atCli.deferred(SRV)).isZero();
        assertThat(atCli.rcvNxt(SRV)).isEqualTo(8);
        assertThat(atSrv.rcvNxt(CLI)).isEqualTo(3);
        assertThat(atCli.table().publicationsOfNode(SRV)).extracting(Publication::type)
                .containsExactly(3000, 2000, 1000, 0);
        assertThat(atSrv.table().publicationsOfNode(CLI)).extracting(Publication::type).containsExactly(0);
        // cli-node's {1000,0,5000} SUB_PORTS subscription: the kernel agent printed
        // "EVENT published 1000 1-1 port 1604773177 node 1d1d1248"
        assertThat(events).containsExactly(new SubscriptionEvent(TipcEvent.TIPC_PUBLISHED, 1, 1, 1604773177, SRV,
                events.get(0).subscription()));
    }

    /**
     * srv-node's side rebuilt: its six cluster bindings (node-state last: the agents bound before the address
     * trial ended, which the bulk seqno 6 = six earlier updates confirms) give exactly the kernel's bulk frame,
     * and the two withdrawals give the kernel's seqnos 6 and 7.
     */
    @Test
    void ownBulkAndUpdatesMatchTheKernelFrames() throws IOException {
        List<DistrMessage> frames = nameDistributorFrames("eth-6.1.pcap");
        NameDistributor d = new NameDistributor(new BindingTable(SRV));
        for (PublicationItem i : frames.get(1).items()) {
            d.publish(i.type(), i.lower(), i.upper(), TIPC_CLUSTER_SCOPE, i.port(), i.key());
        }
        d.drainOutgoing();
        d.nodeUp(CLI, 0x7FF | Tipc.TIPC_NAMED_BCAST, 1500);
        assertThat(d.drainOutgoing()).containsExactly(frames.get(1));
        d.withdraw(4000, 10, 20, 930934177);
        d.withdraw(77, 1, 1, (int) 2381633086L);
        assertThat(d.broadcastUpdates()).isTrue();
        assertThat(d.drainOutgoing()).containsExactly(frames.get(2), frames.get(4));
    }
}
