package io.jtipc.nametable;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteOrder;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.jtipc.wire.TipcEvent;

/** The value types here and the wire module's flyweights agree on every byte. */
class WireInteropTest {
    @Test
    void subscrAndEventAgreeWithWireFlyweights() {
        Random r = new Random(7);
        for (int i = 0; i < 500; i++) {
            byte[] b = new byte[SubscriptionRequest.SIZE];
            r.nextBytes(b);
            ByteOrder host = r.nextBoolean() ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
            SubscriptionRequest ours = SubscriptionRequest.decode(b, 0, host);
            ByteOrder order = io.jtipc.wire.TipcSubscr.detectOrder(b, 0, host);
            io.jtipc.wire.TipcSubscr theirs = new io.jtipc.wire.TipcSubscr().wrap(b, 0, order);
            assertThat(ours.order()).isEqualTo(order);
            assertThat(new int[] {ours.type(), ours.lower(), ours.upper(), ours.timeout(), ours.filter()})
                    .containsExactly(theirs.type(), theirs.lower(), theirs.upper(), theirs.timeout(), theirs.filter());
            byte[] again = new byte[SubscriptionRequest.SIZE];
            ours.encode(again, 0);
            assertThat(again).isEqualTo(b);

            SubscriptionEvent e = new SubscriptionEvent(1 + r.nextInt(3), r.nextInt(), r.nextInt(), r.nextInt(), r.nextInt(), ours);
            byte[] eb = new byte[SubscriptionEvent.SIZE];
            e.encode(eb, 0);
            TipcEvent te = new TipcEvent().wrap(eb, 0, order);
            assertThat(new int[] {te.event(), te.foundLower(), te.foundUpper(), te.portRef()})
                    .containsExactly(e.event(), e.foundLower(), e.foundUpper(), e.port());
            byte[] sub = new byte[SubscriptionRequest.SIZE];
            System.arraycopy(eb, 20, sub, 0, SubscriptionRequest.SIZE);
            assertThat(sub).isEqualTo(b);
        }
    }

    @Test
    void distrItemsAgreeWithWireFlyweight() {
        Random r = new Random(11);
        byte[] b = new byte[PublicationItem.SIZE];
        for (int i = 0; i < 200; i++) {
            PublicationItem it = new PublicationItem(r.nextInt(), r.nextInt(), r.nextInt(), r.nextInt(), r.nextInt());
            it.encode(b, 0);
            io.jtipc.wire.DistrItem w = new io.jtipc.wire.DistrItem().wrap(b, 0);
            assertThat(new PublicationItem(w.type(), w.lower(), w.upper(), w.port(), w.key())).isEqualTo(it);
        }
    }
}
