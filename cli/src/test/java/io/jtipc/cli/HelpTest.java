package io.jtipc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Issue 18: every command's help fits an 80-column terminal (no line is wider) and ends with examples; {@code jtipc
 * node --help} lists every action, connect/listen/subscribe among them.
 */
class HelpTest {

    /** Every command of the tree: the root and every subcommand, depth first ("jtipc", "jtipc pcap links", ...). */
    private static List<CommandLine> all(CommandLine cl, List<CommandLine> into) {
        into.add(cl);
        for (CommandLine sub : cl.getSubcommands().values()) {
            if (!into.contains(sub)) all(sub, into);
        }
        return into;
    }

    @Test
    void everyCommandsHelpFitsEightyColumnsAndHasExamples() {
        CommandLine root = Main.commandLine(new PrintStream(new ByteArrayOutputStream()), new PrintStream(new ByteArrayOutputStream()));
        List<CommandLine> commands = all(root, new ArrayList<>());
        assertThat(commands).extracting(c -> c.getCommandSpec().qualifiedName())
            .contains("jtipc", "jtipc node", "jtipc lab", "jtipc pcap", "jtipc pcap links", "jtipc pcap names",
                "jtipc pcap stats", "jtipc help");
        for (CommandLine c : commands) {
            assertThat(c.isUsageHelpAutoWidth()).as(c.getCommandName() + ": usage help adapts to the terminal").isTrue();
        }
        List<String> problems = new ArrayList<>();
        for (CommandLine c : commands) {
            c.setUsageHelpAutoWidth(false); // a test has no terminal: exactly 80 columns (this and its subcommands)
            c.setUsageHelpWidth(80);
            String help = c.getUsageMessage(CommandLine.Help.Ansi.OFF);
            String name = c.getCommandSpec().qualifiedName();
            for (String line : help.split("\n", -1)) {
                if (line.length() > 80) problems.add(name + ": " + line.length() + " columns: " + line);
            }
            if (!help.contains("Example")) problems.add(name + ": no examples");
            for (String line : c.getCommandSpec().usageMessage().footer()) { // an example is never wrapped
                if (line.length() > 80) problems.add(name + ": footer line of " + line.length() + " columns: " + line);
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void nodeHelpListsEveryAction() {
        MainTest.Result r = MainTest.run("node", "--help");
        assertThat(r.code()).isZero();
        for (String a : List.of("links", "link-stats", "nametable", "send", "ping", "link-set", "bearer-set", "sleep",
                "kernel", "kernel-echo", "kernel-ping", "connect", "listen", "subscribe", "group-bcast")) {
            assertThat(r.out()).contains("\n  " + a + " ");
        }
        // the ACTION parameter's own description names them too
        String param = r.out().substring(r.out().lastIndexOf("[ACTION...]")).replaceAll("\\s+", " ");
        assertThat(param).contains("connect | listen | subscribe");
    }

    /** The control commands (not picocli subcommands) too: {@code jtipc link --help} etc. fit 80 columns, with examples. */
    @Test
    void controlCommandsHelpFitsEightyColumnsAndHasExamples() {
        for (String[] c : new String[][] {{"link", "--help"}, {"bearer", "-h"}, {"nametable", "--help"}, {"node", "list",
                "--help"}, {"node", "set", "--help"}, {"node", "flush", "-h"}, {"socket", "--help"}, {"peer", "--help"}}) {
            MainTest.Result r = MainTest.run(c);
            String name = String.join(" ", c);
            assertThat(r.code()).as(name).isZero();
            assertThat(r.out()).as(name).contains("link stat show", "Examples:", "jtipc link list");
            for (String line : r.out().split("\n", -1)) assertThat(line.length()).as(name + ": " + line).isLessThanOrEqualTo(80);
        }
    }
}
