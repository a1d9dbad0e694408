package io.jtipc.cli.pcap;

import io.jtipc.cli.Main;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link PcapCommand#runFast}: the same results as the full command tree, or null (and no output) when it does not apply. */
class PcapFastPathTest {
    static final String KEY = "0x0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef11223344";

    record Result(Integer code, String out, String err) { }

    static String sample(String name) {
        Path p = Path.of("").toAbsolutePath();
        while (!Files.isDirectory(p.resolve("samples"))) p = p.getParent();
        return p.resolve("samples").resolve(name).toString();
    }

    static Result fast(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        Integer code = PcapCommand.runFast(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The full annotated command tree, never the fast path. */
    static Result full(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code = Main.commandLine(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).execute(args);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void subcommandNamesAreThoseOfTheAnnotation() {
        assertThat(new CommandLine(new PcapCommand()).getSubcommands().keySet())
                .containsExactlyInAnyOrderElementsOf(PcapCommand.SUBCOMMAND_NAMES);
    }

    @Test
    void sameOutputAndExitCodeAsTheFullCommandTree() {
        String eth = sample("eth-6.1.pcap"), udp = sample("udpcrypto-6.1.pcap");
        String[][] cases = {
            {"pcap", eth}, {"pcap", udp}, {"pcap", "--key", KEY, udp}, {"pcap", "--key=" + KEY, udp},
            {"pcap", "-V", eth}, {"pcap", "--verbose", udp}, {"pcap", "--json", "--key", KEY, udp},
            {"pcap", "--udp-port", "6118", "--udp-port=7000", udp}, {"pcap", eth + ".missing"},
            {"pcap", Path.of(eth).getParent().toString()},
        };
        for (String[] c : cases) {
            Result f = fast(c), s = full(c);
            assertThat(f.code()).as(String.join(" ", c)).isNotNull().isEqualTo(s.code());
            assertThat(f.out()).as(String.join(" ", c)).isEqualTo(s.out());
            assertThat(f.err()).as(String.join(" ", c)).isEqualTo(s.err());
        }
        assertThat(fast("pcap", eth).out().lines().count()).isEqualTo(1201);
    }

    @Test
    void notTakenForOtherCommandsHelpSubcommandsAndBadArguments() {
        String eth = sample("eth-6.1.pcap");
        String[][] cases = {
            {}, {"pcap"}, {"lab"}, {"--help"}, {"pcap", "--help"}, {"pcap", "-h", eth}, {"pcap", "stats", eth},
            {"pcap", "links", eth}, {"pcap", "names", eth}, {"pcap", "help"}, {"pcap", "--key", "zz", eth},
            {"pcap", "-V", "--json", eth}, {"pcap", "--udp-port", "x", eth}, {"pcap", "--udp-port", "70000", eth},
            {"pcap", "--bogus", eth}, {"pcap", eth, eth},
        };
        for (String[] c : cases) {
            Result f = fast(c);
            assertThat(f.code()).as(String.join(" ", c)).isNull();
            assertThat(f.out() + f.err()).as(String.join(" ", c)).isEmpty();
        }
    }
}
