package io.jtipc.capture.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import io.jtipc.capture.CaptureSummary;
import io.jtipc.capture.DissectorOptions;
import io.jtipc.capture.TipcCaptureDissector;
import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcMsg;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LinkAnalysisTest {

    private static LinkAnalysis analyse(String sample) {
        LinkAnalysis la = new LinkAnalysis();
        CaptureSummary s = Samples.dissect(sample, la);
        assertThat(s.fileError()).isNull();
        return la;
    }

    private static LinkAnalysis.Direction from(LinkAnalysis la, LinkAnalysis.CapturedLink l, String node) {
        return la.nodeName(l.a().node()).equals(node) ? l.a() : l.b();
    }

    @Test
    void ethLinkComesUpWithKernelNameMtuAndSessions() {
        LinkAnalysis la = analyse("eth-6.1.pcap");
        assertThat(la.links()).hasSize(1);
        LinkAnalysis.CapturedLink l = la.links().get(0);
        // the kernels call it srv-node:eth0-cli-node:eth0 / cli-node:eth0-srv-node:eth0 (logs)
        assertThat(la.name(l)).isIn("srv-node:eth0-cli-node:eth0", "cli-node:eth0-srv-node:eth0");
        assertThat(l.mtu()).isEqualTo(1500);
        assertThat(l.establishments()).hasSize(1);
        LinkAnalysis.Establishment e = l.establishments().get(0);
        // the sessions in use when it came up are those of the RESET/ACTIVATE each side sent
        assertThat(l.events().get(0).what()).contains("from " + la.nodeName(l.a().node()) + " session " + e.sessionA() + " ");
        assertThat(l.events().get(1).what()).contains("from " + la.nodeName(l.b().node()) + " session " + e.sessionB() + " ");
        // establishment: a RESET, an ACTIVATE, then the link is up; at the end srv-node resets it
        assertThat(l.events()).extracting(LinkAnalysis.Event::what)
                .anySatisfy(w -> assertThat(w).startsWith("RESET from"))
                .anySatisfy(w -> assertThat(w).startsWith("ACTIVATE from"))
                .anySatisfy(w -> assertThat(w).isEqualTo("link up"))
                .anySatisfy(w -> assertThat(w).startsWith("link down: srv-node reset it"));
        assertThat(l.downs()).isEqualTo(1);
        assertThat(l.state()).isEqualTo(LinkAnalysis.State.DOWN);
        assertThat(l.upNanos()).isLessThan(l.downNanos());
        assertThat(l.a().interfaceName()).isEqualTo("eth0");
        assertThat(l.b().interfaceName()).isEqualTo("eth0");
    }

    /** The counts agree with what cli-node's kernel printed in 'tipc link stat show' (samples/*.b.log). */
    @Test
    void countsMatchTheKernelsLinkStatistics() throws Exception {
        for (String name : List.of("eth-6.1", "udpcrypto-6.1")) {
            LinkAnalysis la = analyse(name + ".pcap");
            LinkAnalysis.CapturedLink l = la.links().get(0);
            LinkAnalysis.Direction cli = from(la, l, "cli-node");
            LinkAnalysis.Direction srv = l.other(cli);
            String log = name + ".b.log";
            assertThat(cli.sequenced()).as(name + " TX packets").isEqualTo(Samples.linkStat(log, "TX", "packets"));
            assertThat(srv.sequenced()).as(name + " RX packets").isEqualTo(Samples.linkStat(log, "RX", "packets"));
            assertThat(cli.highestSeqno()).isEqualTo((int) Samples.linkStat(log, "TX", "packets"));
            assertThat(cli.states()).as(name + " TX states").isEqualTo(Samples.linkStat(log, "TX", "states"));
            assertThat(cli.probes()).as(name + " TX probes").isEqualTo(Samples.linkStat(log, "TX", "probes"));
            assertThat(cli.retransmissions()).isEqualTo(Samples.linkStat(log, "TX", "retrans"));
            assertThat(cli.nacks()).isEqualTo(Samples.linkStat(log, "TX", "naks"));
            // srv-node went on probing after cli-node printed its statistics: at least as many
            assertThat(srv.states()).isGreaterThanOrEqualTo(Samples.linkStat(log, "RX", "states"));
            assertThat(srv.probes()).isGreaterThanOrEqualTo(Samples.linkStat(log, "RX", "probes"));
        }
    }

    /** Packet, sequenced and retransmission counts agree with a recount straight from the pcap bytes. */
    @Test
    void countsMatchAnIndependentRecount() throws Exception {
        LinkAnalysis la = analyse("eth-6.1.pcap");
        LinkAnalysis.CapturedLink l = la.links().get(0);
        Map<String, Long> packets = new HashMap<>();
        Map<String, Set<Integer>> seqnos = new HashMap<>();
        Map<String, Long> repeats = new HashMap<>();
        Map<String, Long> states = new HashMap<>();
        for (Samples.RawFrame f : Samples.rawEthernetTipc("eth-6.1.pcap")) {
            int user = (f.word(0) >>> 25) & 15;
            boolean nonSeq = (f.word(0) & (1 << 20)) != 0;
            if (user == Tipc.LINK_CONFIG || nonSeq || f.dstMac().startsWith("ff:")) continue;
            packets.merge(f.srcMac(), 1L, Long::sum);
            if (user == Tipc.LINK_PROTOCOL) {
                if ((f.word(1) >>> 29) == 0) states.merge(f.srcMac(), 1L, Long::sum);
                continue;
            }
            if (!seqnos.computeIfAbsent(f.srcMac(), k -> new HashSet<>()).add(f.word(2) & 0xffff)) {
                repeats.merge(f.srcMac(), 1L, Long::sum);
            }
        }
        for (LinkAnalysis.Direction d : List.of(l.a(), l.b())) {
            String mac = d.media().toString();
            assertThat(d.packets()).as(mac).isEqualTo(packets.get(mac));
            assertThat(d.sequenced()).as(mac).isEqualTo(seqnos.get(mac).size());
            assertThat(d.retransmissions()).as(mac).isEqualTo(repeats.getOrDefault(mac, 0L));
            assertThat(d.states()).as(mac).isEqualTo(states.get(mac));
        }
        assertThat(l.a().packets() + l.b().packets()).isGreaterThan(1000);
    }

    /**
     * A Linux cooked capture (SLL: no destination address) of the same traffic gives the same link:
     * the peer's endpoint is learnt from the destination node in the headers.
     */
    @Test
    void cookedCaptureWithoutDestinationsGivesTheSameLink(@TempDir Path tmp) throws Exception {
        Path sll = Samples.toSll("eth-6.1.pcap", tmp.resolve("sll.pcap"));
        LinkAnalysis cooked = new LinkAnalysis();
        CaptureSummary s = new TipcCaptureDissector(DissectorOptions.defaults()).dissect(sll, cooked);
        assertThat(s.fileError()).isNull();
        LinkAnalysis eth = analyse("eth-6.1.pcap");
        assertThat(cooked.links()).hasSize(1);
        LinkAnalysis.CapturedLink c = cooked.links().get(0);
        LinkAnalysis.CapturedLink e = eth.links().get(0);
        assertThat(cooked.name(c)).isEqualTo(eth.name(e));
        assertThat(c.b().media()).isEqualTo(e.b().media());
        for (String node : List.of("cli-node", "srv-node")) {
            LinkAnalysis.Direction dc = from(cooked, c, node);
            LinkAnalysis.Direction de = from(eth, e, node);
            assertThat(dc.packets()).as(node).isEqualTo(de.packets());
            assertThat(dc.sequenced()).as(node).isEqualTo(de.sequenced());
            assertThat(dc.retransmissions()).as(node).isEqualTo(de.retransmissions());
            assertThat(dc.states()).as(node).isEqualTo(de.states());
            assertThat(dc.fragments()).as(node).isEqualTo(de.fragments());
        }
        assertThat(c.establishments()).isEqualTo(e.establishments());
        assertThat(c.downs()).isEqualTo(e.downs());
    }

    @Test
    void retransmissionsNacksAndGapAckBlocksAreCounted(@TempDir Path tmp) throws Exception {
        SyntheticCapture c = new SyntheticCapture();
        c.establish(true, Tipc.RESET_MSG, 100, 1500);
        c.establish(false, Tipc.ACTIVATE_MSG, 200, 1400);
        c.state(true, 100, 0, 0, false);
        for (int s = 1; s <= 5; s++) c.data(true, s);
        c.state(false, 200, 1, 2, false, 5, 0);  // NACK: 2 and 3 missing, block <5,0>
        c.data(true, 2);                           // retransmissions
        c.data(true, 3);
        c.state(false, 200, 5, 0, true);           // probe
        c.state(true, 100, 0, 0, false);
        c.data(false, 1);
        c.data(false, 1);                          // retransmission in the other direction
        Path file = c.write(tmp, "synthetic.pcap");

        LinkAnalysis la = new LinkAnalysis();
        CaptureSummary s = new TipcCaptureDissector(DissectorOptions.defaults()).dissect(file, la);
        assertThat(s.malformed()).isZero();
        assertThat(la.links()).hasSize(1);
        LinkAnalysis.CapturedLink l = la.links().get(0);
        LinkAnalysis.Direction a = l.a();
        LinkAnalysis.Direction b = l.b();
        assertThat(a.sequenced()).isEqualTo(5);
        assertThat(a.retransmissions()).isEqualTo(2);
        assertThat(b.sequenced()).isEqualTo(1);
        assertThat(b.retransmissions()).isEqualTo(1);
        assertThat(b.nacks()).isEqualTo(1);
        assertThat(b.nackedPackets()).isEqualTo(2);
        assertThat(b.gapAckBlocks()).isEqualTo(1);
        assertThat(b.gapAckStates()).isEqualTo(1);
        assertThat(b.probes()).isEqualTo(1);
        assertThat(a.probes()).isZero();
        assertThat(l.mtu()).isEqualTo(1400);
        assertThat(l.state()).isEqualTo(LinkAnalysis.State.UP);
        assertThat(l.establishments()).singleElement()
                .satisfies(e -> assertThat(e.sessionA()).isEqualTo(100))
                .satisfies(e -> assertThat(e.sessionB()).isEqualTo(200));
        assertThat(la.format()).contains("retransmissions").contains("MTU 1400");
    }

    @Test
    void aResetStartsANewSessionWhoseSeqnosAreNotRetransmissions(@TempDir Path tmp) throws Exception {
        SyntheticCapture c = new SyntheticCapture();
        c.establish(true, Tipc.RESET_MSG, 100, 1500);
        c.establish(false, Tipc.ACTIVATE_MSG, 200, 1500);
        c.data(true, 1);
        c.data(true, 2);
        c.establish(true, Tipc.RESET_MSG, 101, 1500);   // link reset by A: down
        c.establish(false, Tipc.ACTIVATE_MSG, 201, 1500);
        c.data(true, 1);                                 // new session: not a retransmission
        Path file = c.write(tmp, "reset.pcap");
        LinkAnalysis la = new LinkAnalysis();
        new TipcCaptureDissector(DissectorOptions.defaults()).dissect(file, la);
        LinkAnalysis.CapturedLink l = la.links().get(0);
        assertThat(l.a().retransmissions()).isZero();
        assertThat(l.a().sequenced()).isEqualTo(3);
        assertThat(l.downs()).isEqualTo(1);
        assertThat(l.establishments()).hasSize(2);
        assertThat(l.establishments().get(1).sessionA()).isEqualTo(101);
        assertThat(l.state()).isEqualTo(LinkAnalysis.State.UP);
    }

    /** Issue 12: SYNCH and FAILOVER tunnel packets are counted apart, per direction, in text and counts. */
    @Test
    void synchAndFailoverTunnelPacketsAreCountedPerDirection(@TempDir Path tmp) throws Exception {
        SyntheticCapture c = new SyntheticCapture();
        c.establish(true, Tipc.RESET_MSG, 100, 1500);
        c.establish(false, Tipc.ACTIVATE_MSG, 200, 1500);
        c.data(true, 1);
        c.tunnel(true, 2, Tipc.SYNCH_MSG, 7);       // A: synch point for a parallel link
        c.tunnel(true, 3, Tipc.FAILOVER_MSG, 40);   // A: two packets of a failed link tunnelled
        c.tunnel(true, 4, Tipc.FAILOVER_MSG, 41);
        c.tunnel(true, 4, Tipc.FAILOVER_MSG, 41);   // retransmitted: counted again, like every tunnel packet
        c.tunnel(false, 1, Tipc.FAILOVER_MSG, 9);   // B: one
        Path file = c.write(tmp, "tunnel.pcap");
        LinkAnalysis la = new LinkAnalysis();
        CaptureSummary s = new TipcCaptureDissector(DissectorOptions.defaults()).dissect(file, la);
        assertThat(s.malformed()).isZero();
        LinkAnalysis.CapturedLink l = la.links().get(0);
        assertThat(l.a().tunnelPackets()).isEqualTo(4);
        assertThat(l.a().synchPackets()).isEqualTo(1);
        assertThat(l.a().failoverPackets()).isEqualTo(3);
        assertThat(l.a().retransmissions()).isEqualTo(1);
        assertThat(l.b().synchPackets()).isZero();
        assertThat(l.b().failoverPackets()).isEqualTo(1);
        assertThat(la.format()).containsPattern("\\n  +SYNCH +1 +0\\n").containsPattern("\\n  +FAILOVER +3 +1\\n");
    }

    /**
     * Issue 12 lab: a link reset (RESET/ACTIVATE) starts a new session whose seqnos begin at 1 again; fragments of the
     * old session left incomplete by the failover must not pair with new-session fragments of the same first seqno.
     */
    @Test
    void fragmentsOfAResetSessionDoNotMixWithTheNextOne(@TempDir Path tmp) throws Exception {
        SyntheticCapture c = new SyntheticCapture();
        c.establish(true, Tipc.RESET_MSG, 100, 1500);
        c.establish(false, Tipc.ACTIVATE_MSG, 200, 1500);
        c.fragmented(true, 1, 3000, (byte) 1, 3, 1, 2);      // old session: a 3000-byte message, its last fragment lost
        c.establish(true, Tipc.RESET_MSG, 101, 1500);          // the link fails and comes back
        c.establish(false, Tipc.ACTIVATE_MSG, 201, 1500);
        c.fragmented(true, 1, 1200, (byte) 2, 3, 3, 1, 2);    // new session: a 1200-byte message from seqno 1
        Path file = c.write(tmp, "reset-fragments.pcap");
        java.util.List<io.jtipc.capture.CapturedMessage> whole = new java.util.ArrayList<>();
        CaptureSummary s = new TipcCaptureDissector(DissectorOptions.defaults()).dissect(file, m -> {
            if (m.origin() == io.jtipc.capture.Origin.REASSEMBLED) whole.add(m);
        });
        assertThat(s.malformed()).as("malformed").isZero();
        assertThat(whole).singleElement().satisfies(m -> assertThat(m.length()).isEqualTo(32 + 1200));
        assertThat(whole.get(0).buf()[whole.get(0).offset() + 32 + 600]).isEqualTo((byte) 2);
    }

    /**
     * SLL (-i any): no destination MAC, so the sender's links to B and to C differ only by the header's destnode. A
     * RESET on A→B drops A→B's pending fragments, not those of A→C; a RESET on A→C does drop A→C's.
     */
    @Test
    void anSllResetDropsTheFragmentsOfItsOwnLinkOnly(@TempDir Path tmp) throws Exception {
        SyntheticCapture c = new SyntheticCapture(SyntheticCapture.LINKTYPE_SLL);
        c.establish(0, 1, Tipc.ACTIVATE_MSG, 100);
        c.establish(0, 2, Tipc.ACTIVATE_MSG, 300);
        c.fragmented(0, 2, 1, 1200, (byte) 3, 3, 1, 2);  // A→C: fragments 1 and 2 of a 1200-byte message
        c.fragmented(0, 1, 1, 1200, (byte) 4, 3, 1, 2);  // A→B: fragments 1 and 2, the last one lost
        c.establish(0, 1, Tipc.RESET_MSG, 101);            // A→B fails: only its pieces go
        c.fragmented(0, 2, 1, 1200, (byte) 3, 3, 3);     // A→C's last fragment completes A→C's message
        c.fragmented(0, 1, 1, 1200, (byte) 5, 3, 3);     // A→B new session's fragment 3 alone: nothing to pair with
        c.fragmented(0, 2, 4, 1200, (byte) 6, 3, 1, 2);  // A→C: a message whose last fragment is lost
        c.establish(0, 2, Tipc.RESET_MSG, 301);            // A→C fails: its pieces go
        c.fragmented(0, 2, 1, 1200, (byte) 7, 3, 1, 2, 3); // A→C's new session from seqno 1
        Path file = c.write(tmp, "sll-reset-fragments.pcap");
        java.util.List<Byte> fills = new java.util.ArrayList<>();
        CaptureSummary s = new TipcCaptureDissector(DissectorOptions.defaults()).dissect(file, m -> {
            if (m.origin() == io.jtipc.capture.Origin.REASSEMBLED) {
                assertThat(m.length()).isEqualTo(32 + 1200);
                for (int i = 32; i < m.length(); i++) assertThat(m.buf()[m.offset() + i]).isEqualTo(m.buf()[m.offset() + 32]);
                fills.add(m.buf()[m.offset() + 32]);
            }
        });
        assertThat(fills).containsExactly((byte) 3, (byte) 7);
    }

    /**
     * udp_media.c tipc_udp_send_msg without multicast sends every broadcast-link packet as a copy to each peer
     * (replicast; the same frames over Ethernet here): a copy to another peer is a copy, not a retransmission; a
     * packet seen again to the same peer, or sent to one peer after the broadcast address (bc_retruni), is one.
     * Before, every copy after the first counted as a retransmission.
     */
    @Test
    void replicastCopiesAreNotRetransmissions(@TempDir Path tmp) throws Exception {
        SyntheticCapture c = new SyntheticCapture();
        byte[] bcast = {-1, -1, -1, -1, -1, -1};
        int[][] sends = {{1, 1}, {1, 2}, {2, 1}, {2, 2}, {1, 1}, {3, -1}, {3, 2}}; // {seqno, to node (-1: broadcast)}
        for (int[] x : sends) {
            TipcMsg m = c.msg(Tipc.LOW_IMPORTANCE, Tipc.TIPC_MCAST_MSG, 4);
            m.setNonSeq(1).setSeqno(x[0]).setPrevnode(SyntheticCapture.node(0)).setOrignode(SyntheticCapture.node(0));
            c.frame(0, x[1] < 0 ? bcast : SyntheticCapture.mac(x[1]), m);
        }
        LinkAnalysis la = new LinkAnalysis();
        new TipcCaptureDissector(DissectorOptions.defaults()).dissect(c.write(tmp, "replicast.pcap"), la);
        assertThat(la.broadcastSenders()).singleElement().satisfies(s -> {
            assertThat(s.packets()).isEqualTo(7);
            assertThat(s.sequenced()).isEqualTo(3);
            assertThat(s.copies()).isEqualTo(2);
            assertThat(s.retransmissions()).isEqualTo(2);
        });
    }
}
