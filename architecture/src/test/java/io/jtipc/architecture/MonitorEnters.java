package io.jtipc.architecture;

import com.tngtech.archunit.core.domain.JavaClass;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds {@code synchronized (x) { ... }} blocks, which ArchUnit's model does not show: they exist only as
 * {@code monitorenter} instructions in a method's bytecode. Reads the class file with the JDK's own
 * {@code javap -c -l -p} (a {@link java.util.spi.ToolProvider}, no extra library) and maps each
 * {@code monitorenter} to its source line through the LineNumberTable.
 */
final class MonitorEnters {
    private MonitorEnters() {}

    private static final java.util.spi.ToolProvider JAVAP = java.util.spi.ToolProvider.findFirst("javap")
        .orElseThrow(() -> new IllegalStateException("javap is not available: run the tests on a JDK"));

    /** A member header in javap's output: two spaces, then the declaration ending in ';'. */
    private static final Pattern MEMBER = Pattern.compile("^  (\\S.*);$");
    private static final Pattern MONITORENTER = Pattern.compile("^\\s+(\\d+): monitorenter\\b");
    private static final Pattern LINE = Pattern.compile("^\\s+line (\\d+): (\\d+)$");

    /** One {@code monitorenter}: the member's javap declaration and the source line (-1 if unknown). */
    record Found(String member, int line) {}

    /** Every {@code monitorenter} in the class file of {@code c} (empty if its class file cannot be located). */
    static List<Found> in(JavaClass c) {
        if (c.getSource().isEmpty()) return List.of();
        URI uri = c.getSource().get().getUri();
        String target = "file".equals(uri.getScheme()) ? Path.of(uri).toString() : uri.toString();
        StringWriter out = new StringWriter(), err = new StringWriter();
        int rc = JAVAP.run(new PrintWriter(out), new PrintWriter(err), "-c", "-l", "-p", target);
        if (rc != 0) throw new IllegalStateException("javap " + target + " failed (" + rc + "): " + err);

        List<Found> found = new ArrayList<>();
        String member = null;
        List<Integer> pcs = new ArrayList<>();
        NavigableMap<Integer, Integer> lines = new TreeMap<>(); // start pc -> source line
        for (String l : (out + "\n  end;").split("\n")) {
            Matcher m = MEMBER.matcher(l);
            if (m.matches()) {
                for (int pc : pcs) {
                    var e = lines.floorEntry(pc);
                    found.add(new Found(member, e == null ? -1 : e.getValue()));
                }
                member = m.group(1);
                pcs.clear();
                lines.clear();
                continue;
            }
            if ((m = MONITORENTER.matcher(l)).find()) pcs.add(Integer.parseInt(m.group(1)));
            else if ((m = LINE.matcher(l)).matches()) lines.put(Integer.parseInt(m.group(2)), Integer.parseInt(m.group(1)));
        }
        return found;
    }
}
