package io.jtipc.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * Issue 10's size rules for the protocol core: the façade stays thin ({@code NodeCore} at most 400 lines) and no
 * class of the node module grows past 900 lines: a class that big is doing two kernel files' work. The same for the
 * api: {@code TipcNode} is the public façade (at most 700 lines: its Builder and documented delegates; the core lock,
 * bearers, lifecycle, views and congestion waits live in their own classes) and no api class passes 900 lines.
 */
class NodeSizeTest {
    static final int FACADE_MAX = 400;
    static final int CLASS_MAX = 900;
    static final int API_FACADE_MAX = 700;

    @Test
    void theFacadeIsThinAndNoNodeClassIsOversized() throws IOException {
        Path dir = DocSnippetsTest.repoRoot().resolve("node/src/main/java/io/jtipc/node");
        Map<String, Integer> lines = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                List<String> text = Files.readAllLines(f);
                lines.put(f.getFileName().toString(), text.size());
            }
        }
        assertThat(lines).as("node main sources in %s", dir).containsKey("NodeCore.java");
        assertThat(lines.get("NodeCore.java")).as("NodeCore.java lines (the sans-IO façade)").isLessThanOrEqualTo(FACADE_MAX);
        assertThat(lines).as("lines per node class").allSatisfy((file, n) ->
            assertThat(n).as("%s lines", file).isLessThanOrEqualTo(CLASS_MAX));
    }

    @Test
    void theApiFacadeIsThinAndNoApiClassIsOversized() throws IOException {
        Map<String, Integer> lines = lines("api/src/main/java/io/jtipc/api");
        assertThat(lines).containsKey("TipcNode.java");
        assertThat(lines.get("TipcNode.java")).as("TipcNode.java lines (the public façade)")
            .isLessThanOrEqualTo(API_FACADE_MAX);
        assertThat(lines).as("lines per api class").allSatisfy((file, n) ->
            assertThat(n).as("%s lines", file).isLessThanOrEqualTo(CLASS_MAX));
    }

    /** Lines of each main source file in {@code dir} (relative to the repository root), by file name. */
    private static Map<String, Integer> lines(String dir) throws IOException {
        Map<String, Integer> lines = new TreeMap<>();
        try (Stream<Path> files = Files.list(DocSnippetsTest.repoRoot().resolve(dir))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                lines.put(f.getFileName().toString(), Files.readAllLines(f).size());
            }
        }
        return lines;
    }
}
