package io.jtipc.bearer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class ReceiveErrorBackoffTest {
    final AtomicLong now = new AtomicLong(1_000_000);
    final List<IOException> seen = new ArrayList<>();
    final ReceiveErrorBackoff b = new ReceiveErrorBackoff("eth:test", LoggerFactory.getLogger("test"), now::get);

    long fail() {
        long p = b.failed(new IOException("boom"), seen::add);
        now.addAndGet(p);
        return p;
    }

    @Test
    void pausesDoubleTo1sAndRestartAfterASuccess() {
        List<Long> pauses = new ArrayList<>();
        for (int i = 0; i < 9; i++) pauses.add(fail());
        assertThat(pauses).containsExactly(20L, 40L, 80L, 160L, 320L, 640L, 1000L, 1000L, 1000L);
        b.succeeded();
        assertThat(fail()).isEqualTo(20);
        assertThat(fail()).isEqualTo(40);
    }

    @Test
    void firstErrorThenAtMostOneSummaryPer10s() {
        fail();
        assertThat(seen).singleElement().satisfies(e -> assertThat(e.getMessage()).isEqualTo("boom"));
        // a persistent error for 60 s: once 1 s apart after the ramp, i.e. about 60 errors
        long end = now.get() + 60_000;
        int errors = 1;
        while (now.get() < end) {
            fail();
            errors++;
        }
        assertThat(errors).isBetween(55, 70);
        // the first report plus one summary per 10 s
        assertThat(seen).hasSizeBetween(6, 7);
        assertThat(b.reports()).isEqualTo(seen.size());
        assertThat(seen.get(1).getMessage()).contains("boom").contains("more receive errors since the last report")
            .contains("retrying every 1000 ms");
        assertThat(seen.get(1).getCause()).hasMessage("boom");
        long counted = seen.size() + b.unreported();
        for (IOException e : seen.subList(1, seen.size())) {
            String m = e.getMessage();
            counted += Long.parseLong(m.substring(m.indexOf('(') + 1, m.indexOf(" more")));
        }
        assertThat(counted).as("every error is reported or counted in a summary").isEqualTo(errors);
    }

    @Test
    void withoutAHandlerItLogsAndAFailingHandlerDoesNotEscape() {
        ReceiveErrorBackoff x = new ReceiveErrorBackoff("eth:t", LoggerFactory.getLogger("test"), now::get);
        assertThat(x.failed(new IOException("a"), null)).isEqualTo(20);
        assertThat(x.reports()).isEqualTo(1);
        now.addAndGet(20_000);
        assertThat(x.failed(new IOException("b"), e -> {
            throw new IllegalStateException("handler bug");
        })).isEqualTo(40);
        assertThat(x.reports()).isEqualTo(2);
    }
}
