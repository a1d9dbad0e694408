package io.jtipc.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.Test;

/**
 * {@link TipcNode#setLink} and {@link TipcNode#setBearer} between two TipcNodes over UDP on 127.0.0.1/127.0.0.2 (no
 * privilege needed): a tolerance set on one end reaches the other in a STATE message (link.c tipc_link_set_tolerance),
 * a window is local, out-of-range values and unknown names give EINVAL.
 */
class LinkSettingsApiTest {
    @Test
    void toleranceReachesThePeerWindowIsLocalBadValuesAreRefused() throws Exception {
        int port = 20000 + ThreadLocalRandom.current().nextInt(20000);
        String a1 = "127.0.0.1:" + port;
        String b1 = "127.0.0.2:" + port;
        try (TipcNode a = TipcNode.builder().identity("jt-set-a").bearer("udp:" + a1 + ",remote=" + b1 + ",name=ua").build();
             TipcNode b = TipcNode.builder().identity("jt-set-b").bearer("udp:" + b1 + ",remote=" + a1 + ",name=ub").build()) {
            TwoNodeChecks.startBoth(a, b);
            LinkInfo la = a.awaitLinkUp(TwoNodeChecks.T);
            b.awaitLinkUp(TwoNodeChecks.T);
            a.setLink(la.name(), LinkProperty.TOLERANCE, 4321);
            assertThat(a.links().get(0).tolerance()).isEqualTo(4321);
            assertThat(b.awaitLink(l -> l.tolerance() == 4321, TwoNodeChecks.T).up()).isTrue();
            a.setLink(la.name(), LinkProperty.WINDOW, 60);
            assertThatThrownBy(() -> a.setLink(la.name(), LinkProperty.WINDOW, 40)).as("below 50")
                .isInstanceOfSatisfying(TipcException.class, e -> assertThat(e.error()).isEqualTo(TipcError.EINVAL));
            a.setLink(la.name(), LinkProperty.PRIORITY, 10);
            String bearer = a.links().get(0).bearer();
            a.setBearer(bearer, LinkProperty.TOLERANCE, 2222);
            assertThat(b.awaitLink(l -> l.tolerance() == 2222, TwoNodeChecks.T).up()).isTrue();
            a.setBearer(bearer, LinkProperty.WINDOW, 100);
            a.setBearer(bearer, LinkProperty.PRIORITY, 12);
            assertThatThrownBy(() -> a.setLink(la.name(), LinkProperty.TOLERANCE, 49))
                .isInstanceOfSatisfying(TipcException.class, e -> assertThat(e.error()).isEqualTo(TipcError.EINVAL));
            assertThatThrownBy(() -> a.setLink("no-such-link", LinkProperty.WINDOW, 100))
                .isInstanceOfSatisfying(TipcException.class, e -> assertThat(e.error()).isEqualTo(TipcError.EINVAL));
            assertThatThrownBy(() -> a.setBearer("udp:none", LinkProperty.TOLERANCE, 1000))
                .isInstanceOfSatisfying(TipcException.class, e -> assertThat(e.error()).isEqualTo(TipcError.EINVAL));
            assertThatThrownBy(() -> a.setLink(la.name(), LinkProperty.PRIORITY, 32)).isInstanceOf(TipcException.class);
            assertThat(a.links().get(0).up()).isTrue();
        }
    }
}
