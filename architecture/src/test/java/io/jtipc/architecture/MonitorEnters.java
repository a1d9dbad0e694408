package io.jtipc.architecture;

import com.tngtech.archunit.core.domain.JavaClass;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

    /** A class header in javap's output, at column 0: modifiers, then class/interface and the binary name. */
    private static final Pattern CLASS = Pattern.compile("^(?:[\\w-]+ )*?(?:class|interface) ([\\w.$]+)");

    /**
     * Every {@code monitorenter} in the class files of {@code classes}, by class name (classes without one are
     * absent). One javap run for all of them: starting javap costs far more than reading a class.
     */
    static Map<String, List<Found>> in(Collection<JavaClass> classes) {
        List<String> args = new ArrayList<>(List.of("-c", "-l", "-p"));
        for (JavaClass c : classes) {
            if (c.getSource().isEmpty()) continue;
            URI uri = c.getSource().get().getUri();
            args.add("file".equals(uri.getScheme()) ? Path.of(uri).toString() : uri.toString());
        }
        Map<String, List<Found>> found = new HashMap<>();
        if (args.size() == 3) return found;
        StringWriter out = new StringWriter(), err = new StringWriter();
        int rc = JAVAP.run(new PrintWriter(out), new PrintWriter(err), args.toArray(new String[0]));
        if (rc != 0) throw new IllegalStateException("javap failed (" + rc + "): " + err);

        String cls = null, member = null;
        List<Integer> pcs = new ArrayList<>();
        NavigableMap<Integer, Integer> lines = new TreeMap<>(); // start pc -> source line
        for (String l : (out + "\n  end;").split("\n")) {
            Matcher m = MEMBER.matcher(l);
            Matcher c = CLASS.matcher(l);
            boolean header = !l.startsWith(" ") && c.find();
            if (m.matches() || header) {
                for (int pc : pcs) {
                    var e = lines.floorEntry(pc);
                    found.computeIfAbsent(cls, k -> new ArrayList<>()).add(new Found(member, e == null ? -1 : e.getValue()));
                }
                if (header) cls = c.group(1);
                member = header ? null : m.group(1);
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
