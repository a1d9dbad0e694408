package io.jtipc.cli.pcap;

import io.jtipc.capture.NodeDirectory;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class PlainPrinterTest {
    private static String label(PlainPrinter p, NodeDirectory d, int addr) {
        return new String(p.label(d, addr), StandardCharsets.US_ASCII);
    }

    /** The printer's label caches (the last two labels, then the table) never outlive what the directory knows. */
    @Test void nodeLabelsFollowWhatTheDirectoryLearns() {
        PlainPrinter p = new PlainPrinter(OutputStream.nullOutputStream());
        NodeDirectory d = new NodeDirectory();
        assertThat(label(p, d, 0x1001)).isEqualTo("1001");
        assertThat(label(p, d, 0x2002)).isEqualTo("2002");
        assertThat(label(p, d, 0x1001)).isEqualTo("1001");
        assertThat(label(p, d, 0x3003)).isEqualTo("3003");
        assertThat(label(p, d, 0x2002)).isEqualTo("2002"); // from the table: no longer among the last two

        // an identity learnt mid-capture changes the label at once, also for the address just printed
        byte[] id = new byte[16];
        byte[] name = "srv-node".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(name, 0, id, 0, name.length);
        d.learn(0x2002, id, 0);
        assertThat(label(p, d, 0x2002)).isEqualTo("srv-node/2002");
        assertThat(label(p, d, 0x3003)).isEqualTo("3003");
        assertThat(label(p, d, 0)).isEqualTo("?");

        // another run's directory starts from nothing
        assertThat(label(p, new NodeDirectory(), 0x2002)).isEqualTo("2002");
    }
}
