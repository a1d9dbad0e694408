package io.jtipc.lab.junit;

import io.jtipc.lab.KernelNode;
import io.jtipc.lab.Lab;
import io.jtipc.lab.LabOptions;
import java.nio.file.Path;
import java.util.Optional;
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
 * </ul>
 */
public final class LabExtension implements ExecutionCondition, ParameterResolver, TestWatcher {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(LabExtension.class);

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
        StringBuilder sb = new StringBuilder("[jtipc-lab] " + context.getDisplayName() + " failed; lab " + h.lab + "\n");
        for (KernelNode n : h.lab.nodes()) {
            sb.append("--- ").append(n).append(" console ").append(n.consoleLog()).append(":\n")
                    .append(n.consoleTail(15)).append('\n');
        }
        System.err.print(sb);
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

        Holder(Lab lab) {
            this.lab = lab;
        }

        @Override
        public void close() {
            lab.close();
        }
    }
}
