package io.jtipc.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jtipc.lab.Lab;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabCommandTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void unknownKernelVersionIsABadArgument() {
        assertThat(run("lab", "--version", "4.19")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown kernel version '4.19'").contains("6.12 (trixie)");
    }

    @Test
    void versionListMustMatchTheNodeCount() {
        assertThat(run("lab", "--version", "5.10,6.1", "--nodes", "3")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("2 kernels for 3 nodes");
    }

    @Test
    void missingScriptIsABadArgument(@TempDir Path tmp) {
        assertThat(run("lab", "--script", tmp.resolve("none.lab").toString())).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("cannot read script");
    }

    @Test
    void scriptRunsAgainstLinkedKernelNodesAndStopsAtAFailure(@TempDir Path tmp) throws Exception {
        assumeTrue(Lab.unavailableReason().isEmpty(), () -> Lab.unavailableReason().orElse(""));
        Path script = tmp.resolve("demo.lab");
        Files.writeString(script, String.join("\n",
                "# two 6.1 nodes, linked by the lab",
                "all /usr/sbin/tipc link list",
                "n2 /bin/tipc-agent publish 4000 1 1 2 &",
                "n1 /bin/tipc-agent wait-service 4000 1 10000",
                "n1 false",
                "n1 echo never reached", ""));
        Path pcap = tmp.resolve("demo.pcap");
        int rc = run("lab", "--version", "6.1", "--nodes", "2", "--script", script.toString(), "--capture", pcap.toString(),
                "--workdir", tmp.resolve("work").toString());
        String o = out.toString(StandardCharsets.UTF_8);
        assertThat(rc).as("stdout:\n%s\nstderr:\n%s", o, err).isEqualTo(1);
        assertThat(o).contains("n1| n1:eth0-n2:eth0: up").contains("n2| n2:eth0-n1:eth0: up")
                .contains("n1| FOUND 4000 1").contains("n1| (exit 1)").doesNotContain("never reached");
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("lab: n1: up in").contains("script line 5 failed");
        assertThat(Files.size(pcap)).isGreaterThan(24);
    }
}
