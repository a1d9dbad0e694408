package io.jtipc.architecture;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which Maven module a class was loaded from, read from where its class file lies: a reactor build
 * ({@code mvn test}) puts {@code <module>/target/classes} on the test classpath, a packaged build
 * ({@code mvn verify}) or the local repository {@code jtipc-<module>-<version>.jar}. Rules that speak of
 * modules (another module's {@code internal} package, duplicate simple names) use this, so they apply to
 * modules that do not exist yet without naming them.
 */
final class Modules {
    private Modules() {}

    private static final Pattern CLASSES_DIR = Pattern.compile("/([^/]+)/target/classes/");
    private static final Pattern JAR = Pattern.compile("/jtipc-([a-z0-9-]+?)-\\d[^/]*\\.jar!/");

    /**
     * The module's directory name (e.g. {@code bearer-eth}); for a class of unknown origin, its package
     * below {@code io.jtipc} up to the first {@code internal} segment, e.g. {@code io.jtipc.bearer.eth}.
     */
    static String of(JavaClass c) {
        String uri = c.getSource().map(s -> s.getUri().toString()).orElse("");
        Matcher m = CLASSES_DIR.matcher(uri);
        if (m.find()) return m.group(1);
        m = JAR.matcher(uri);
        if (m.find()) return m.group(1);
        return ownerOfInternal(c.getPackageName()) != null ? ownerOfInternal(c.getPackageName()) : c.getPackageName();
    }

    /** For a package with an {@code internal} segment, the package that owns it ({@code a.b.internal.c} → {@code a.b}), else null. */
    static String ownerOfInternal(String pkg) {
        int i = ("." + pkg + ".").indexOf(".internal.");
        return i < 0 ? null : pkg.substring(0, Math.max(0, i - 1));
    }

    /**
     * The main code only: leaves out test classes of every module ({@code target/test-classes}, test jars),
     * this module's own included.
     */
    static final class MainClassesOnly implements ImportOption {
        private static final Pattern TEST_JAR = Pattern.compile(".*-tests?\\.jar!/.*");

        @Override
        public boolean includes(Location location) {
            return !location.contains("/test-classes/") && !location.matches(TEST_JAR);
        }
    }
}
