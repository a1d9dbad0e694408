package io.jtipc.bearer;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension giving a test class ({@link #perClass}) or each of its tests ({@link #perTest}) a {@link LabNetns}:
 * a namespace of its own with a random name ({@code jtipc-test-<8 hex digits>}, so test classes running at once never
 * share one) holding the veth pair va/vb, both up, with the MTU given. The set-up the root tests of the bearers share:
 * <ul>
 *   <li>when {@link LabNetns#whyNotRunnable()} gives a reason (not root, no {@code ip}), the class (or test) is
 *       skipped by an assumption with that reason, before any {@code @BeforeAll} (or {@code @BeforeEach}) method;</li>
 *   <li>the namespace is created before the class's {@code @BeforeAll} methods (or the test's {@code @BeforeEach}
 *       methods) and deleted after its {@code @AfterAll} (or {@code @AfterEach}) methods, so those may still use it;
 *       deleted also when a test, a before or an after method failed (JUnit runs after-callbacks whatever failed);</li>
 *   <li>after deleting, {@code ip netns list} must no longer show it, else the after-callback fails (a leaked
 *       namespace).</li>
 * </ul>
 * Register it on a static field for {@link #perClass}, on an instance field for {@link #perTest} (one extension per
 * test instance, hence per test):
 * <pre>{@code
 * @RegisterExtension
 * static final LabNetnsExtension LAB = LabNetnsExtension.perClass(1500);
 * ... AfPacketSocket.open(LAB.name(), LabNetns.VA, ...)
 * }</pre>
 * A test kit, never published (bearer-common's {@code src/testkit/java}, compiled with the bearer modules' tests).
 */
public final class LabNetnsExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
        AfterEachCallback {
    private final int mtu;
    private final boolean perTest;
    private volatile LabNetns lab;

    private LabNetnsExtension(int mtu, boolean perTest) {
        this.mtu = mtu;
        this.perTest = perTest;
    }

    /** One namespace for the whole class, veth MTU {@code mtu} bytes; register on a static field. */
    public static LabNetnsExtension perClass(int mtu) {
        return new LabNetnsExtension(mtu, false);
    }

    /** A namespace for each test, veth MTU {@code mtu} bytes; register on an instance field. */
    public static LabNetnsExtension perTest(int mtu) {
        return new LabNetnsExtension(mtu, true);
    }

    /** The namespace. @throws IllegalStateException outside the class (test) it was made for, or if skipped */
    public LabNetns lab() {
        LabNetns l = lab;
        if (l == null) {
            throw new IllegalStateException("no lab namespace now: used outside the "
                    + (perTest ? "test" : "test class") + " it is made for, or creating it failed");
        }
        return l;
    }

    /** The namespace's name under /var/run/netns. @throws IllegalStateException as {@link #lab()} */
    public String name() {
        return lab().name;
    }

    /** Runs {@code ip -n NAME args...} in the namespace. @throws IOException as {@link LabNetns#ipIn} */
    public void ipIn(String... args) throws IOException {
        lab().ipIn(args);
    }

    /** {@link LabNetns#awaitOperational} in the namespace. @throws IOException if not up after 10 s */
    public void awaitOperational(String dev) throws IOException {
        lab().awaitOperational(dev);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        if (!perTest) {
            create();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        if (!perTest) {
            delete();
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        if (perTest) {
            create();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        if (perTest) {
            delete();
        }
    }

    private void create() throws IOException {
        String why = LabNetns.whyNotRunnable();
        assumeTrue(why == null, why);
        lab = LabNetns.create(mtu);
    }

    private void delete() throws IOException {
        LabNetns l = lab;
        if (l == null) {
            return;
        }
        lab = null;
        l.close();
        if (LabNetns.exists(l.name)) {
            throw new AssertionError("netns " + l.name + " still listed after it was deleted");
        }
    }
}
