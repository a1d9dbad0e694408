package io.jtipc.architecture;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * Every {@code ```java} block of the repository's Markdown compiles against the main modules (issue 10:
 * "the README's Java snippets compile in a test"). Read: the root's {@code *.md}, {@code docs/**.md} and
 * every module's {@code README.md}.
 *
 * <p>How a block is compiled:
 * <ul>
 *   <li>A block with an {@code import} or {@code package} line, or a type declaration at column 0, is a
 *       whole compilation unit, compiled as it is.</li>
 *   <li>Any other block is a fragment: it becomes the body of {@code void snippet() throws Exception} in a
 *       class that imports {@code java.io, java.net, java.nio(.charset, .file), java.time, java.util(.concurrent,
 *       .function)} and the project's public packages: {@code io.jtipc.api} for the root's and {@code docs/}
 *       files, the module's own non-internal packages for {@code <module>/README.md}.</li>
 *   <li>Names a fragment uses without declaring them (the node of an earlier block, a buffer, ...) are
 *       declared in an HTML comment on the line(s) right before the fence, invisible when rendered:
 *       {@code <!-- java-context: import io.jtipc.wire.Tipc; TipcNode node; byte[] msg; -->}. Each
 *       {@code import} goes to the imports, every other declaration becomes a field of the class.</li>
 *   <li>A block opts out only with {@code ```java no-compile}; it is then reported as skipped.</li>
 * </ul>
 * Each block is its own test, named {@code file:line} (the fence's line); a failure lists javac's errors
 * at their Markdown line.
 */
class DocSnippetsTest {

    private static final List<String> JDK_IMPORTS = List.of("java.io", "java.net", "java.nio", "java.nio.charset",
        "java.nio.file", "java.time", "java.util", "java.util.concurrent", "java.util.function");
    private static final String WRAPPER_CLASS = "Snippet";
    private static final Pattern FENCE_OPEN = Pattern.compile("^(\\s{0,3})```\\s*java(?:\\s+(.*))?$");
    private static final Pattern CONTEXT = Pattern.compile("<!--\\s*java-context:(.*?)-->", Pattern.DOTALL);
    private static final Pattern TYPE_AT_COLUMN_0 = Pattern.compile(
        "^(?:(?:public|protected|private|abstract|final|sealed|non-sealed|static|strictfp)\\s+)*"
            + "(?:class|interface|record|enum|@interface)\\s+(\\w+)");
    private static final Pattern PUBLIC_TYPE = Pattern.compile(
        "(?m)^\\s*public\\s+(?:(?:abstract|final|sealed|non-sealed|static|strictfp)\\s+)*"
            + "(?:class|interface|record|enum|@interface)\\s+(\\w+)");

    /** One {@code ```java} block: its file relative to the repository root, the fence's line (1-based). */
    record Snippet(String file, int line, List<String> code, String context, int contextLine, boolean optedOut,
                   List<String> projectImports) {
        @Override
        public String toString() {
            return file + ":" + line;
        }
    }

    // ------------------------------------------------------------------ the tests

    @ParameterizedTest(name = "{0}")
    @MethodSource("snippets")
    void snippet_compiles(Snippet s, @TempDir Path out) {
        assumeFalse(s.optedOut(), s + " is marked ```java no-compile");
        Unit unit = unitOf(s);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertThat(javac).as("a JDK's javac (ToolProvider.getSystemJavaCompiler())").isNotNull();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        JavaFileObject source = new SimpleJavaFileObject(URI.create("string:///" + unit.fileName()),
            JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return unit.source();
            }
        };
        List<String> options = List.of("--release", "17", "-proc:none", "-implicit:none", "-encoding", "UTF-8",
            "-classpath", System.getProperty("java.class.path"), "-d", out.toString());
        boolean ok = javac.getTask(null, null, diagnostics, options, null, List.of(source)).call();
        if (ok) return;
        List<String> errors = new ArrayList<>();
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
            if (d.getKind() != Diagnostic.Kind.ERROR) continue;
            errors.add(unit.markdownLocation((int) d.getLineNumber()) + ": " + d.getMessage(Locale.ROOT)
                .replace("\n", "\n      "));
        }
        fail(s + " does not compile (" + (unit.wrapped() ? "fragment wrapped in a method" : "compilation unit")
            + "; the class path is this module's test class path):\n  " + String.join("\n  ", errors)
            + "\n--- as compiled:\n" + unit.numbered());
    }

    @Test
    void the_readme_has_java_snippets_to_compile() {
        assertThat(snippets()).as("```java blocks found in README.md").anyMatch(s -> s.file().equals("README.md"));
    }

    /**
     * Issue 18 ("every Java snippet in README and docs compiles"): no Markdown file of the repository with a
     * {@code ```java} fence escapes {@link #markdownFiles} (a README two levels down, a new docs folder, ...), and the
     * docs are read.
     */
    @Test
    void every_markdown_file_with_a_java_block_is_read() throws IOException {
        Path root = repoRoot();
        List<Path> read = markdownFiles(root);
        List<String> missed;
        try (Stream<Path> all = Files.walk(root)) {
            missed = all.filter(p -> p.toString().endsWith(".md") && Files.isRegularFile(p))
                .filter(p -> { // build output and hidden directories (.git, .m2) are not the project's documents
                    for (Path part : root.relativize(p)) {
                        String n = part.toString();
                        if (n.equals("target") || n.startsWith(".")) return false;
                    }
                    return true;
                })
                .filter(p -> hasJavaFence(p) && !read.contains(p))
                .map(p -> root.relativize(p).toString()).sorted().collect(Collectors.toList());
        }
        assertThat(missed).as("Markdown files with ```java blocks that DocSnippetsTest does not compile").isEmpty();
        assertThat(snippets()).as("```java blocks found in docs/").anyMatch(s -> s.file().startsWith("docs/"));
    }

    private static boolean hasJavaFence(Path p) {
        try {
            return Files.readAllLines(p, StandardCharsets.UTF_8).stream().anyMatch(l -> FENCE_OPEN.matcher(l).matches());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ------------------------------------------------------------------ collecting the blocks

    static Path repoRoot() {
        Path module = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
        Path root = module.getParent();
        if (root == null || !Files.isRegularFile(root.resolve("README.md")) || !Files.isRegularFile(root.resolve("pom.xml")))
            throw new IllegalStateException("no repository root (README.md and pom.xml) above " + module);
        return root;
    }

    static List<Path> markdownFiles(Path root) throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> top = Files.list(root)) {
            top.filter(p -> p.toString().endsWith(".md") && Files.isRegularFile(p)).sorted().forEach(files::add);
        }
        if (Files.isDirectory(root.resolve("docs")))
            try (Stream<Path> docs = Files.walk(root.resolve("docs"))) {
                docs.filter(p -> p.toString().endsWith(".md") && Files.isRegularFile(p)).sorted().forEach(files::add);
            }
        try (Stream<Path> dirs = Files.list(root)) {
            dirs.filter(Files::isDirectory).filter(d -> !d.getFileName().toString().startsWith("."))
                .map(d -> d.resolve("README.md")).filter(Files::isRegularFile).sorted().forEach(files::add);
        }
        return files;
    }

    static List<Snippet> snippets() {
        try {
            Path root = repoRoot();
            List<Snippet> all = new ArrayList<>();
            for (Path f : markdownFiles(root)) all.addAll(snippetsOf(root, f));
            return all;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Snippet> snippetsOf(Path root, Path file) throws IOException {
        String rel = root.relativize(file).toString().replace('\\', '/');
        List<String> projectImports = projectPackagesFor(root, rel);
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<Snippet> found = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher open = FENCE_OPEN.matcher(lines.get(i));
            if (!open.matches()) continue;
            int indent = open.group(1).length();
            boolean optOut = open.group(2) != null && List.of(open.group(2).trim().split("\\s+")).contains("no-compile");
            List<String> code = new ArrayList<>();
            int j = i + 1;
            for (; j < lines.size() && !lines.get(j).trim().equals("```"); j++) {
                String l = lines.get(j);
                int strip = 0;
                while (strip < indent && strip < l.length() && l.charAt(strip) == ' ') strip++;
                code.add(l.substring(strip));
            }
            // a context comment ends on the line right before the fence
            String context = "";
            int contextLine = -1;
            if (i > 0 && lines.get(i - 1).trim().endsWith("-->")) {
                int k = i - 1;
                while (k > 0 && !lines.get(k).contains("<!--")) k--;
                Matcher c = CONTEXT.matcher(String.join("\n", lines.subList(k, i)));
                if (c.find()) {
                    context = c.group(1).trim();
                    contextLine = k + 1;
                }
            }
            found.add(new Snippet(rel, i + 1, code, context, contextLine, optOut, projectImports));
            i = j;
        }
        return found;
    }

    /** io.jtipc.api for the root's and docs' files; a module's own non-internal packages for its README. */
    static List<String> projectPackagesFor(Path root, String rel) throws IOException {
        if (!rel.contains("/") || rel.startsWith("docs/")) return List.of("io.jtipc.api");
        Path sources = root.resolve(rel.substring(0, rel.indexOf('/'))).resolve("src/main/java");
        if (!Files.isDirectory(sources)) return List.of();
        try (Stream<Path> walk = Files.walk(sources)) {
            return walk.filter(p -> p.toString().endsWith(".java") && !p.getFileName().toString().equals("package-info.java"))
                .map(p -> sources.relativize(p.getParent()).toString().replace('/', '.').replace('\\', '.'))
                .filter(pkg -> Modules.ownerOfInternal(pkg) == null)
                .distinct().sorted().collect(Collectors.toList());
        }
    }

    // ------------------------------------------------------------------ what javac sees

    /**
     * The source handed to javac; {@code firstCodeLine} is the line of the source holding the block's first
     * line, {@code contextFirstLine}/{@code contextLines} where the context's declarations went.
     */
    record Unit(Snippet snippet, String fileName, String source, boolean wrapped, int firstCodeLine,
                int contextFirstLine, int contextLines) {
        String markdownLocation(int javaLine) {
            if (javaLine >= firstCodeLine && javaLine < firstCodeLine + snippet.code().size())
                return snippet.file() + ":" + (snippet.line() + 1 + javaLine - firstCodeLine);
            if (javaLine >= contextFirstLine && javaLine < contextFirstLine + contextLines)
                return snippet.file() + ":" + snippet.contextLine() + " (java-context)";
            return snippet.file() + ":" + snippet.line() + " (wrapper line " + javaLine + ")";
        }

        String numbered() {
            String[] l = source.split("\n", -1);
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < l.length; i++) b.append(String.format("%4d  %s%n", i + 1, l[i]));
            return b.toString();
        }
    }

    static Unit unitOf(Snippet s) {
        boolean wholeUnit = s.code().stream().anyMatch(l -> l.startsWith("import ") || l.startsWith("package ")
            || TYPE_AT_COLUMN_0.matcher(l).find());
        String code = String.join("\n", s.code());
        if (wholeUnit) {
            Matcher pub = PUBLIC_TYPE.matcher(code);
            String name = null;
            if (pub.find()) name = pub.group(1);
            else for (String l : s.code()) {
                Matcher m = TYPE_AT_COLUMN_0.matcher(l);
                if (m.find()) { name = m.group(1); break; }
            }
            return new Unit(s, (name == null ? WRAPPER_CLASS : name) + ".java", code + "\n", false, 1, -1, 0);
        }
        List<String> imports = new ArrayList<>(), fields = new ArrayList<>();
        for (String decl : s.context().split(";")) {
            String d = decl.trim().replaceAll("\\s+", " ");
            if (d.isEmpty()) continue;
            (d.startsWith("import ") ? imports : fields).add(d + ";");
        }
        List<String> src = new ArrayList<>();
        for (String p : JDK_IMPORTS) src.add("import " + p + ".*;");
        for (String p : s.projectImports()) src.add("import " + p + ".*;");
        int contextFirst = src.size() + 1;
        src.addAll(imports);
        src.add("@SuppressWarnings(\"all\")");
        src.add("class " + WRAPPER_CLASS + " {");
        int fieldsFirst = src.size() + 1;
        for (String f : fields) src.add("    " + f);
        src.add("    void snippet() throws Exception {");
        int first = src.size() + 1;
        src.addAll(s.code());
        src.add("    }");
        src.add("}");
        // imports and fields both come from the context comment: report either at its line
        int contextLines = fields.isEmpty() ? imports.size() : fieldsFirst + fields.size() - contextFirst;
        return new Unit(s, WRAPPER_CLASS + ".java", String.join("\n", src) + "\n", true, first, contextFirst, contextLines);
    }
}
