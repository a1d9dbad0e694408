package io.jtipc.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.DocumentationTool;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every public and protected member of the api has a doc comment, and every checked exception it declares is
 * documented with {@code @throws} (the developers' guide: public docstrings name the errors thrown). Runs the JDK's
 * javadoc with doclint's {@code missing} group over the api sources and fails on its "no comment" and "no @throws"
 * reports; its "no @param" / "no @return" reports are not required (the api documents those in prose where it helps),
 * so the build's own javadoc runs with {@code -missing}.
 */
class ApiJavadocTest {
    @Test
    void everyPublicMemberHasACommentAndItsCheckedExceptionsDocumented(@TempDir Path out) throws Exception {
        Path sources = Path.of("src/main/java/io/jtipc/api");
        List<File> files;
        try (Stream<Path> s = Files.list(sources)) {
            files = s.filter(p -> p.toString().endsWith(".java")).map(Path::toFile).toList();
        }
        assertThat(files).hasSizeGreaterThan(30);
        assertThat(missing(files, out)).as("public api members without a doc comment or an @throws").isEmpty();
        assertThat(out.resolve("io/jtipc/api/TipcNode.html")).as("javadoc documented the api").exists();
    }

    /** The check itself reports what it looks for: a fixture with an undocumented method and an undocumented throws. */
    @Test
    void theCheckFindsAMissingCommentAndAMissingThrows(@TempDir Path dir) throws Exception {
        Path src = Files.createDirectories(dir.resolve("src/fixture"));
        Path f = src.resolve("Fixture.java");
        Files.writeString(f, String.join("\n",
            "package fixture;",
            "/** A fixture. */",
            "public class Fixture {",
            "    /** Documented. */",
            "    public Fixture() { }",
            "    public void bare() { }",
            "    /** Documented, but not its exception. */",
            "    public void io() throws java.io.IOException { }",
            "}", ""));
        List<String> m = missing(List.of(f.toFile()), Files.createDirectories(dir.resolve("out")));
        assertThat(m).hasSize(2);
        assertThat(m).anyMatch(x -> x.equals("Fixture.java:6 no comment"));
        assertThat(m).anyMatch(x -> x.startsWith("Fixture.java:8 no @throws"));
    }

    /**
     * Runs javadoc with doclint's missing group over {@code files} into {@code out}: its "no comment" and "no @throws"
     * reports, as "File.java:line message".
     */
    private static List<String> missing(List<File> files, Path out) throws Exception {
        DocumentationTool javadoc = ToolProvider.getSystemDocumentationTool();
        assertThat(javadoc).as("the JDK's javadoc tool (run the tests on a JDK)").isNotNull();
        DiagnosticCollector<JavaFileObject> found = new DiagnosticCollector<>();
        try (StandardJavaFileManager fm = javadoc.getStandardFileManager(found, Locale.ROOT, null)) {
            List<String> options = List.of("-Xdoclint:missing", "-Xmaxwarns", "100000", "-quiet",
                "-d", out.toString(), "-classpath", System.getProperty("java.class.path"));
            DocumentationTool.DocumentationTask task = javadoc.getTask(new StringWriter(), fm, found, null, options,
                fm.getJavaFileObjectsFromFiles(files));
            assertThat(task.call()).as("javadoc ran: " + errors(found)).isTrue();
        }
        List<String> missing = new ArrayList<>();
        for (Diagnostic<? extends JavaFileObject> d : found.getDiagnostics()) {
            String m = d.getMessage(Locale.ROOT);
            if (m.equals("no comment") || m.startsWith("no @throws")) {
                missing.add(d.getSource().getName().replaceAll(".*/", "") + ":" + d.getLineNumber() + " " + m);
            }
        }
        return missing;
    }

    private static String errors(DiagnosticCollector<JavaFileObject> found) {
        StringBuilder b = new StringBuilder();
        for (Diagnostic<? extends JavaFileObject> d : found.getDiagnostics()) {
            if (d.getKind() == Diagnostic.Kind.ERROR) b.append(d).append('\n');
        }
        return b.toString();
    }
}
