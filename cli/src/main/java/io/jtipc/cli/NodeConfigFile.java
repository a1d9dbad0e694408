package io.jtipc.cli;

import io.jtipc.api.BearerSpec;
import io.jtipc.api.TipcNode;
import io.jtipc.cli.pcap.PrivateFile;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code jtipc node --config FILE}: the node's options from a file whose keys are the long option names without
 * the dashes, one {@code key = value} a line:
 * <pre>
 * # comment
 * identity = node-a
 * bearer   = udp:10.0.0.1,remote=10.0.0.2      # repeatable, as --bearer
 * bearer   = eth:eth1
 * control  = /run/jtipc/node-a.ctl
 * verbose                                     # a flag: "verbose", "verbose = true" or "verbose = false"
 * </pre>
 * An option given on the command line wins over the file: for a repeatable option (bearer) every value of the file is
 * then ignored, not merged. Values are converted and checked by picocli and by the same checks as the flags (identity,
 * cluster, bearer spec, key, rekeying), so a bad value reads as the flag's error, prefixed with {@code FILE:LINE:}.
 * Unknown keys, keys given twice (other than repeatable ones), {@code config} and {@code help} are errors too. All
 * errors are usage errors (exit code 2). A trailing {@code # comment} needs a blank before the '#'.
 * <p>
 * Not picocli's {@code PropertiesDefaultProvider}: it reads a {@link java.util.Properties}, which keeps only the last
 * of repeated keys (bearer is repeatable), ignores unknown keys and knows no line numbers; nor an {@code @}-file,
 * whose lines are command-line words ({@code --bearer udp:...}), not the keys of the flags.
 */
final class NodeConfigFile {
    /** Longest config file read, bytes (1 MiB): a node's options fit in far less. */
    static final int MAX_BYTES = 1 << 20;

    private NodeConfigFile() {
    }

    /** One option's values from the file, with the line each came from. */
    private record Entry(OptionSpec option, List<String> values, List<Integer> lines) {
    }

    /**
     * Reads {@code file} and sets, on {@code cl}'s command, every option it names that the command line did not give.
     *
     * @throws CommandLine.ParameterException naming the file (and line) on an unreadable file, an unknown key, a key
     *                                        given twice or a bad value
     */
    static void apply(CommandLine cl, Path file) {
        List<String> lines = read(cl, file);
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (int n = 1; n <= lines.size(); n++) {
            String line = stripComment(lines.get(n - 1)).strip();
            if (line.isEmpty()) continue;
            int eq = line.indexOf('=');
            String key = (eq < 0 ? line : line.substring(0, eq)).strip();
            String value = eq < 0 ? null : line.substring(eq + 1).strip();
            String at = file + ":" + n + ": ";
            OptionSpec o = key.isEmpty() || key.startsWith("-") ? null : cl.getCommandSpec().findOption("--" + key);
            if (o == null || !List.of(o.names()).contains("--" + key)) {
                throw new CommandLine.ParameterException(cl, at + "unknown key '" + esc(key)
                    + "' (the keys are the long option names of 'jtipc node' without '--', e.g. identity, bearer, control)");
            }
            if (o.usageHelp() || key.equals("config")) {
                throw new CommandLine.ParameterException(cl, at + "'" + key + "' is not allowed in a config file");
            }
            boolean flag = o.typeInfo().isBoolean();
            if (value == null && !flag) throw new CommandLine.ParameterException(cl, at + "'" + key + "' needs '= VALUE'");
            if (flag) {
                String v = value == null ? "true" : value.toLowerCase(Locale.ROOT);
                if (!v.equals("true") && !v.equals("false")) {
                    throw new CommandLine.ParameterException(cl, at + "'" + key + "' is a flag: true or false, not '"
                        + esc(value) + "'");
                }
                value = v;
            }
            Entry e = entries.get(key);
            if (e != null && !o.isMultiValue()) {
                throw new CommandLine.ParameterException(cl, at + "'" + key + "' given twice (first on line "
                    + e.lines().get(0) + ")");
            }
            if (e == null) entries.put(key, e = new Entry(o, new ArrayList<>(), new ArrayList<>()));
            check(cl, at, key, value);
            e.values().add(value);
            e.lines().add(n);
        }
        CommandLine.ParseResult given = cl.getParseResult();
        for (var me : entries.entrySet()) {
            Entry e = me.getValue();
            if (given != null && given.hasMatchedOption(e.option())) continue; // the command line wins
            e.option().setValue(convert(cl, file, me.getKey(), e));
        }
    }

    /** {@code s} with control characters as {@code \\xHH} (a file's text reaches the console). */
    private static String esc(String s) {
        return io.jtipc.cli.control.ControlServer.escape(String.valueOf(s), false);
    }

    /**
     * The file's lines (UTF-8): a regular file (not a FIFO or device such as /dev/zero) of at most
     * {@link #MAX_BYTES}. A file that holds a {@code key} must be private to the user (owner, mode 600: see
     * {@link PrivateFile}), as {@code jtipc pcap --key-file}.
     */
    private static List<String> read(CommandLine cl, Path file) {
        PrivateFile.Content c;
        try {
            c = PrivateFile.read(file, MAX_BYTES, "--config");
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, esc(e.getMessage()));
        }
        String s;
        try {
            s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(c.bytes())).toString();
        } catch (CharacterCodingException e) {
            throw new CommandLine.ParameterException(cl, "--config " + file + ": not UTF-8 text");
        }
        List<String> lines = s.lines().toList();
        for (String l : lines) {
            String line = stripComment(l).strip();
            int eq = line.indexOf('=');
            if (c.notPrivate() != null && (eq < 0 ? line : line.substring(0, eq)).strip().equals("key")) {
                // the same check as for a key file (jtipc pcap --key-file)
                throw new CommandLine.ParameterException(cl, esc(c.notPrivate()) + " (it holds a key)");
            }
        }
        return lines;
    }

    /** The line without a trailing "# comment" (a '#' at the start or after a blank). */
    private static String stripComment(String line) {
        for (int i = 0; i < line.length(); i++) {
            if (line.charAt(i) == '#' && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) return line.substring(0, i);
        }
        return line;
    }

    /** The checks the flags get later in {@link NodeCommand#call()}, here so the error can name the line. */
    private static void check(CommandLine cl, String at, String key, String value) {
        try {
            switch (key) {
                case "identity" -> TipcNode.builder().identity(value);
                case "bearer" -> BearerSpec.parse(value, null);
                case "key" -> TipcNode.builder().key(value); // its message names no key digit
                default -> { }
            }
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, at + key + ": " + esc(e.getMessage()));
        }
    }

    /**
     * The typed value of {@code e}'s option: picocli converts the file's values as it would the same flags (on a
     * scratch {@code jtipc node} command), one line at a time so that an error names its line.
     */
    private static Object convert(CommandLine cl, Path file, String key, Entry e) {
        List<Object> all = new ArrayList<>();
        Object single = null;
        for (int i = 0; i < e.values().size(); i++) {
            CommandLine scratch = new CommandLine(new NodeCommand());
            try {
                scratch.parseArgs("--" + key + "=" + e.values().get(i));
            } catch (CommandLine.ParameterException pe) {
                throw new CommandLine.ParameterException(cl, file + ":" + e.lines().get(i) + ": " + esc(pe.getMessage()));
            }
            Object v = scratch.getCommandSpec().findOption("--" + key).getValue();
            if (v instanceof List<?> l) all.addAll(l);
            else single = v;
        }
        if (e.option().isMultiValue()) return new ArrayList<>(all);
        checkRange(cl, file, key, single, e.lines().get(0));
        return single;
    }

    /** Ranges the builder checks (cluster 1-9999, rekeying >= 0), with the file's line. */
    private static void checkRange(CommandLine cl, Path file, String key, Object v, int line) {
        try {
            if (key.equals("cluster")) TipcNode.builder().clusterId((Integer) v);
            if (key.equals("rekeying")) TipcNode.builder().rekeying((Integer) v);
        } catch (IllegalArgumentException ex) {
            throw new CommandLine.ParameterException(cl, file + ":" + line + ": " + key + ": " + ex.getMessage());
        }
    }
}
