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
 * root holds the Apache-2.0 LICENSE and a NOTICE (the parent packs both into every jar's META-INF).
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
