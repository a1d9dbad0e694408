package io.jtipc.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * Issue 18, release artifacts: the poms agree with each other. Every jar module names its
 * {@code Automatic-Module-Name} ({@code jtipc.module.name}: {@code io.jtipc.} + its directory with '-' as '.'); a
 * module is either published and listed in the BOM ({@code bom/pom.xml}, {@code jtipc-bom}, at the reactor's
 * version) or not published ({@code maven.deploy.skip} and {@code maven.install.skip} true) and absent from it; the
 * root holds the Apache-2.0 LICENSE and a NOTICE (the parent packs both into every jar's META-INF). Tests, benchmarks,
 * fuzzers and test kits are never published: no test-only module is, no pom builds or consumes a test-jar (test kits
 * are shared as source, {@code src/testkit/java} through the parent's {@code jtipc.testkit}), and a published module
 * attaches nothing besides its jar, sources and javadoc.
 */
class ReleaseLayoutTest {
    private static final Pattern MODULE = Pattern.compile("<module>([^<]+)</module>");
    private static final Pattern BOM_ENTRY = Pattern.compile(
        "<groupId>io\\.jtipc</groupId>\\s*<artifactId>([^<]+)</artifactId>\\s*<version>\\$\\{project\\.version}</version>");

    private static String read(Path p) throws IOException {
        return Files.readString(p, StandardCharsets.UTF_8).replaceAll("(?s)<!--.*?-->", "");
    }

    private static Optional<String> tag(String pom, String name) {
        Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]*)</" + Pattern.quote(name) + ">").matcher(pom);
        return m.find() ? Optional.of(m.group(1).trim()) : Optional.empty();
    }

    /** The project's own artifactId and version (outside parent, dependencies and plugins). */
    private static String own(String pom, String name) {
        String top = pom.replaceAll("(?s)<parent>.*?</parent>", "").replaceAll("(?s)<dependencyManagement>.*", "")
            .replaceAll("(?s)<dependencies>.*", "").replaceAll("(?s)<build>.*", "");
        return tag(top, name).orElseThrow(() -> new AssertionError("no <" + name + "> in a pom"));
    }

    @Test
    void everyModuleIsPublishedWithAModuleNameAndInTheBomOrNotPublishedAtAll() throws IOException {
        Path root = DocSnippetsTest.repoRoot();
        String parent = read(root.resolve("pom.xml"));
        String version = own(parent, "version");
        List<String> modules = new ArrayList<>();
        Matcher mm = MODULE.matcher(parent);
        while (mm.find()) modules.add(mm.group(1).trim());
        assertThat(modules).contains("api", "cli", "bom", "bench", "architecture");

        String bom = read(root.resolve("bom/pom.xml"));
        assertThat(own(bom, "artifactId")).isEqualTo("jtipc-bom");
        assertThat(own(bom, "version")).as("bom/pom.xml has no parent: its version must be the reactor's").isEqualTo(version);
        assertThat(bom).as("the BOM has no parent (importing it brings its entries only)").doesNotContain("<parent>");
        TreeSet<String> inBom = new TreeSet<>();
        Matcher bm = BOM_ENTRY.matcher(bom);
        while (bm.find()) inBom.add(bm.group(1));

        List<String> problems = new ArrayList<>();
        TreeSet<String> published = new TreeSet<>();
        for (String m : modules) {
            if (m.equals("bom")) continue;
            String pom = read(root.resolve(m).resolve("pom.xml"));
            String artifact = own(pom, "artifactId");
            String packaging = tag(pom.replaceAll("(?s)<build>.*", ""), "packaging").orElse("jar");
            if (!packaging.equals("jar")) continue;
            String want = "io.jtipc." + m.replace('-', '.');
            Optional<String> name = tag(pom, "jtipc.module.name");
            if (!name.equals(Optional.of(want))) {
                problems.add(m + ": <jtipc.module.name> (its jar's Automatic-Module-Name) must be " + want + ", is "
                    + name.orElse("missing"));
            }
            boolean deploySkip = tag(pom, "maven.deploy.skip").equals(Optional.of("true"));
            boolean installSkip = tag(pom, "maven.install.skip").equals(Optional.of("true"));
            if (deploySkip != installSkip) problems.add(m + ": maven.deploy.skip and maven.install.skip differ");
            if (!deploySkip) published.add(artifact);
        }
        assertThat(problems).isEmpty();
        assertThat(inBom).as("bom/pom.xml lists exactly the published modules (those without maven.deploy.skip)")
            .isEqualTo(published);
        assertThat(published).contains("jtipc-api", "jtipc-cli", "jtipc-wire")
            .doesNotContain("jtipc-bench", "jtipc-fuzz", "jtipc-architecture", "jtipc-interop-tests", "jtipc-hostile-tests");
    }

    /**
     * Directory names of modules that hold tests, benchmarks or fuzzers only: never published ({@code testcontainers}
     * is a library for users' tests, not a test module).
     */
    private static final Pattern TEST_ONLY_MODULE = Pattern.compile(".*-tests|bench|fuzz|architecture");

    @Test
    void noTestBenchOrTestKitArtifactWouldBePublished() throws IOException {
        Path root = DocSnippetsTest.repoRoot();
        String parent = read(root.resolve("pom.xml"));
        List<String> poms = new ArrayList<>();
        poms.add("pom.xml");
        Matcher mm = MODULE.matcher(parent);
        while (mm.find()) poms.add(mm.group(1).trim() + "/pom.xml");

        List<String> problems = new ArrayList<>();
        for (String p : poms) {
            String pom = read(root.resolve(p));
            String module = p.equals("pom.xml") ? "(parent)" : p.substring(0, p.indexOf('/'));
            // a test-jar is an attached artifact: deploy publishes every attached artifact of a published module
            if (pom.contains("<goal>test-jar</goal>")) problems.add(module + ": builds a test-jar (attached, so published)");
            if (pom.matches("(?s).*<type>test-jar</type>.*") || pom.matches("(?s).*<classifier>tests?</classifier>.*")) {
                problems.add(module + ": depends on a test-jar (share test code through src/testkit/java instead)");
            }
            if (module.equals("(parent)") || module.equals("bom")) continue;
            boolean published = !tag(pom, "maven.deploy.skip").equals(Optional.of("true"));
            if (TEST_ONLY_MODULE.matcher(module).matches()) {
                if (published) problems.add(module + ": tests/bench/fuzz only, yet published (no maven.deploy.skip)");
                for (String skip : List.of("maven.source.skip", "maven.javadoc.skip")) {
                    if (!tag(pom, skip).equals(Optional.of("true"))) problems.add(module + ": not published but no " + skip);
                }
            }
            if (published) {
                String build = pom.replaceAll("(?s)<dependencies>.*?</dependencies>", "");
                for (String attach : List.of("<classifier>", "<shadedArtifactAttached>true", "<goal>attach-artifact</goal>",
                        "<attach>true</attach>")) {
                    if (build.contains(attach)) problems.add(module + ": attaches another artifact (" + attach + ")");
                }
            }
            Optional<String> kit = tag(pom, "jtipc.testkit");
            if (kit.isPresent() && !module.equals("(parent)")) {
                Path dir = root.resolve(module).resolve(kit.get().replace("${project.basedir}/", "")).normalize();
                if (!Files.isDirectory(dir)) problems.add(module + ": jtipc.testkit " + kit.get() + " is no directory");
            }
        }
        assertThat(problems).isEmpty();
        assertThat(tag(parent, "jtipc.testkit")).as("the parent's default test kit").contains("${project.basedir}/src/testkit/java");
        assertThat(parent).as("the parent compiles the tests with the test kit")
            .contains("<compileSourceRoot>${jtipc.testkit}</compileSourceRoot>");
        // the test kits stay out of the main source trees (a main jar is published)
        for (String m : List.of("node", "api", "bearer-common")) {
            assertThat(root.resolve(m).resolve("src/testkit/java")).isDirectory();
        }
    }

    @Test
    void theRootHoldsTheApacheLicenseAndANotice() throws IOException {
        Path root = DocSnippetsTest.repoRoot();
        String license = Files.readString(root.resolve("LICENSE"), StandardCharsets.UTF_8);
        assertThat(license).contains("Apache License", "Version 2.0, January 2004", "TERMS AND CONDITIONS FOR USE",
            "END OF TERMS AND CONDITIONS", "APPENDIX: How to apply the Apache License to your work.");
        assertThat(Files.readString(root.resolve("NOTICE"), StandardCharsets.UTF_8)).startsWith("jtipc\n");
        assertThat(read(root.resolve("pom.xml"))).contains("<include>LICENSE</include><include>NOTICE</include>",
            "<Automatic-Module-Name>${jtipc.module.name}</Automatic-Module-Name>");
    }
}
