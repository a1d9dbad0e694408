package io.jtipc.lab.junit;

import io.jtipc.lab.KernelNode;
import io.jtipc.lab.Lab;
import io.jtipc.lab.LabOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * JUnit 5 extension giving a test class one {@link Lab} (a {@code Lab} parameter of a
 * {@code @BeforeAll}, constructor, test or {@code @AfterAll} method), closed after the class.
 * Boot kernel nodes in {@code @BeforeAll} so a class boots its VMs once.
 *
 * <ul>
 *   <li>When the lab cannot run here (not root, tools missing) every test of the class is
 *       <em>skipped</em> with the reason.</li>
 *   <li>Work dir: {@code target/lab/<TestClass>/}: consoles ({@code nK/console.log}), qemu logs,
 *       and captures made with {@link #pcapPath}.</li>
 *   <li>On a failed test, the paths and tails of the consoles are printed to stderr.</li>
 *   <li>Captures ({@code *.pcap}, {@code *.pcapng} anywhere under the work dir, 50-90 MB each in the interop suite)
 *       are deleted once the lab of a class whose tests all passed is closed, so a whole run does not fill the
 *       disk; a class with a failed test, a failed {@code @BeforeAll}/{@code @AfterAll} keeps them, and so does every
 *       class with {@code -D}{@value #KEEP_CAPTURES}{@code =true}. Consoles and qemu logs (small) are always kept.</li>
 * </ul>
 */
public final class LabExtension implements ExecutionCondition, ParameterResolver, TestWatcher, AfterAllCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(LabExtension.class);
    /** System property: {@code true} keeps the captures of passing classes too. */
    public static final String KEEP_CAPTURES = "jtipc.lab.keepCaptures";

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        Optional<String> why = Lab.unavailableReason();
        return why.map(ConditionEvaluationResult::disabled)
                .orElseGet(() -> ConditionEvaluationResult.enabled("the kernel TIPC lab can run here"));
    }

    @Override
    public boolean supportsParameter(ParameterContext pc, ExtensionContext ec) {
        return pc.getParameter().getType() == Lab.class;
    }

    @Override
    public Object resolveParameter(ParameterContext pc, ExtensionContext ec) {
        return lab(ec);
    }

    /** The class's lab, created on first use. */
    public static Lab lab(ExtensionContext context) {
        ExtensionContext classContext = classContext(context);
        Holder h = classContext.getStore(NS).getOrComputeIfAbsent(Holder.class,
                k -> new Holder(Lab.create(LabOptions.defaults(classContext.getRequiredTestClass().getSimpleName()))),
                Holder.class);
        return h.lab;
    }

    /** {@code target/lab/<TestClass>/<name>.pcap} of the lab (for {@link Lab#capture}). */
    public static Path pcapPath(Lab lab, String name) {
        return lab.workDir().resolve(name.replaceAll("[^A-Za-z0-9_.-]", "_") + ".pcap");
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        ExtensionContext classContext = classContext(context);
        Holder h = classContext.getStore(NS).get(Holder.class, Holder.class);
        if (h == null) {
            return;
        }
        h.failed = true;
        StringBuilder sb = new StringBuilder("[jtipc-lab] " + context.getDisplayName() + " failed; lab " + h.lab + "\n");
        for (KernelNode n : h.lab.nodes()) {
            sb.append("--- ").append(n).append(" console ").append(n.consoleLog()).append(":\n")
                    .append(n.consoleTail(15)).append('\n');
        }
        System.err.print(sb);
    }

    /** Marks the class's captures for deletion at lab close when nothing in the class failed (see the class doc). */
    @Override
    public void afterAll(ExtensionContext context) {
        Holder h = context.getStore(NS).get(Holder.class, Holder.class);
        if (h != null && !h.failed && context.getExecutionException().isEmpty()
                && !Boolean.getBoolean(KEEP_CAPTURES)) {
            h.dropCaptures = true;
        }
    }

    /**
     * Deletes the {@code .pcap}/{@code .pcapng} files under {@code dir} (recursively).
     *
     * @return bytes freed
     * @throws UncheckedIOException when the directory cannot be walked or a file cannot be deleted
     */
    static long deleteCaptures(Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        List<Path> caps;
        try (Stream<Path> s = Files.walk(dir)) {
            caps = s.filter(p -> {
                String n = p.getFileName().toString();
                return (n.endsWith(".pcap") || n.endsWith(".pcapng")) && Files.isRegularFile(p);
            }).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long freed = 0;
        for (Path p : caps) {
            try {
                long size = Files.size(p);
                Files.delete(p);
                freed += size;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return freed;
    }

    private static ExtensionContext classContext(ExtensionContext c) {
        ExtensionContext x = c;
        while (x.getTestMethod().isPresent() && x.getParent().isPresent()) {
            x = x.getParent().get();
        }
        return x;
    }

    private static final class Holder implements ExtensionContext.Store.CloseableResource {
        final Lab lab;
        /** A test of the class failed ({@link #testFailed}). */
        volatile boolean failed;
        /** Everything passed: delete the captures after the lab (and its tcpdumps) closed. */
        volatile boolean dropCaptures;

        Holder(Lab lab) {
            this.lab = lab;
        }

        @Override
        public void close() {
            lab.close();
            if (dropCaptures) {
                long freed = deleteCaptures(lab.workDir());
                if (freed > 0) {
                    System.err.println("[jtipc-lab] " + lab.workDir().getFileName() + " passed: deleted its captures ("
                            + (freed >> 20) + " MiB; -D" + KEEP_CAPTURES + "=true keeps them)");
                }
            }
        }
    }
}
