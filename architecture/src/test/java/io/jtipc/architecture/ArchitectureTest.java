package io.jtipc.architecture;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.AccessTarget;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaAccess;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaMember;
import com.tngtech.archunit.core.domain.JavaMethod;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.domain.JavaType;
import com.tngtech.archunit.core.domain.JavaTypeVariable;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The rules of the code's shape (DEVELOPERS.md "Architecture", issue 10), checked on the classes of every
 * main module on this module's test classpath. Rules name packages, not modules, so a module that is added
 * later (e.g. {@code bearer-common}, {@code lab}, {@code lab-junit}) is covered once it is a dependency of
 * this module; rules that must tell modules apart find a class's module from its class file's location
 * ({@link Modules}).
 */
@AnalyzeClasses(packages = "io.jtipc", importOptions = Modules.MainClassesOnly.class)
class ArchitectureTest {

    /** The sans-IO protocol core: codecs, binding table, node. */
    static final String[] CORE = {"io.jtipc.wire..", "io.jtipc.nametable..", "io.jtipc.node.."};

    private static final String SANS_IO = "the protocol core is sans-IO and single-threaded (DEVELOPERS.md "
        + "\"Architecture\"): it takes (time, frame) and returns frames and timers, so every scenario runs "
        + "deterministically on the in-memory network; the bearers and the api own threads, clocks and sockets";

    // ---------------------------------------------------------------- 1. core: no threads, locks, clocks, I/O

    @ArchTest
    static final ArchRule core_starts_no_threads = noClasses().that().resideInAnyPackage(CORE)
        .should().dependOnClassesThat(
            belongToAnyOf(Thread.class, ThreadGroup.class, java.util.Timer.class, java.util.TimerTask.class)
                .or(resideInAPackage("java.util.concurrent"))
                .as("are threads or timers or are in java.util.concurrent (executors, futures, latches, "
                    + "blocking queues, concurrent collections, TimeUnit)"))
        .because(SANS_IO);

    @ArchTest
    static final ArchRule core_keeps_no_state_shared_between_threads = classes()
        .that().resideInAnyPackage("io.jtipc.node..", "io.jtipc.nametable..")
        .should(keepNoStateSharedBetweenThreads())
        .because(SANS_IO + "; per-thread or atomically published state means the code expects to be called from "
            + "several threads at once, which the protocol core never is. wire is exempt: its codecs are a library "
            + "shared by the capture analyser and the bearer threads, and keep immutable layout caches "
            + "(HeaderLayout.CACHE) and per-thread scratch (MessageBodies.SCRATCH) for that; it still starts no "
            + "thread, takes no lock and reads no clock");

    @ArchTest
    static final ArchRule core_takes_no_locks = classes().that().resideInAnyPackage(CORE)
        .should(takeNoLocks())
        .because(SANS_IO + "; the lock-owning views of the binding table belong where the threads are (api)");

    @ArchTest
    static final ArchRule core_reads_no_clock = classes().that().resideInAnyPackage(CORE)
        .should(readNoClock())
        .because(SANS_IO + "; time comes in as the nowMs argument of onFrame/onTimer");

    @ArchTest
    static final ArchRule core_does_no_io = noClasses().that().resideInAnyPackage(CORE)
        .should().dependOnClassesThat(
            resideInAnyPackage("java.net..", "java.nio.channels..", "java.nio.file..")
                .or(belongToAnyOf(ProcessBuilder.class, Process.class, ProcessHandle.class, Runtime.class,
                    java.io.File.class, java.io.FileInputStream.class, java.io.FileOutputStream.class,
                    java.io.FileReader.class, java.io.FileWriter.class, java.io.RandomAccessFile.class))
                .as("are sockets, channels, files or processes (java.net, java.nio.channels, java.nio.file, "
                    + "java.io.File*, ProcessBuilder, Runtime)"))
        .orShould().accessField(System.class, "out")
        .orShould().accessField(System.class, "err")
        .orShould().accessField(System.class, "in")
        .because(SANS_IO + "; frames leave through the Outbox, never through a socket or stdout");

    @ArchTest
    static final ArchRule core_draws_random_numbers_from_an_injected_seed = classes().that().resideInAnyPackage(CORE)
        .should(drawNoUnseededRandomness())
        .because(SANS_IO + "; an unseeded generator seeds itself from the clock or the OS, so a run could not be "
            + "replayed: the core draws from java.util.Random(NodeConfig.seed())");

    // ---------------------------------------------------------------- 2. internal packages stay in their module

    @ArchTest
    static final ArchRule no_module_uses_another_modules_internal_package = classes()
        .should(useNoInternalPackageOfAnotherModule())
        .because("a package named internal is its module's own business (issue 10): what another module needs "
            + "is public API of the module that owns it");

    // ---------------------------------------------------------------- 3. no package cycles

    @ArchTest
    static final ArchRule no_cycles_between_packages = slices().matching("io.jtipc.(**)")
        .namingSlices("package io.jtipc.$1")
        .should().beFreeOfCycles()
        .because("packages form a layered graph (issue 10): a cycle between two packages makes them one "
            + "unit that cannot be understood, tested or moved apart; cycles inside one package are fine");

    // ---------------------------------------------------------------- 4. api signatures

    @ArchTest
    static final ArchRule api_signatures_show_no_core_or_internal_type = classes()
        .that().resideInAPackage("io.jtipc.api..")
        .should(exposeInSignaturesNoClassThat(
            resideInAnyPackage("io.jtipc.node..", "io.jtipc.nametable..", "..internal..")
                .as("io.jtipc.node, io.jtipc.nametable or an internal package")))
        .because("api is the one public face (issue 10): the core's and the bearers' internals change without "
            + "notice, so what an application sees (parameters, returns, fields, supertypes, exceptions, "
            + "generics) is api's own types");

    // ---------------------------------------------------------------- 5. simple names unique across modules

    /**
     * A top-level class's simple name appears in no other module, neither as a top-level nor as a nested
     * class (nested classes among themselves may share names: {@code TipcNode.Builder},
     * {@code DissectorOptions.Builder}).
     */
    @ArchTest
    static void no_two_modules_declare_a_class_of_the_same_simple_name(JavaClasses all) {
        Map<String, Set<String>> byName = new TreeMap<>(); // simple name -> "module: class"
        Map<String, Set<String>> modulesOfTopLevel = new TreeMap<>(); // simple name -> modules with it top-level
        for (JavaClass c : all) {
            if (c.isAnonymousClass() || c.isLocalClass() || c.getSimpleName().isEmpty()
                || c.getSimpleName().equals("package-info")) continue;
            String module = Modules.of(c);
            byName.computeIfAbsent(c.getSimpleName(), k -> new TreeSet<>()).add(module + ": " + c.getName());
            if (c.isTopLevelClass())
                modulesOfTopLevel.computeIfAbsent(c.getSimpleName(), k -> new TreeSet<>()).add(module);
        }
        List<String> clashes = new ArrayList<>();
        modulesOfTopLevel.forEach((name, topModules) -> {
            Set<String> declarations = byName.get(name);
            Set<String> modules = declarations.stream().map(d -> d.substring(0, d.indexOf(':')))
                .collect(Collectors.toCollection(TreeSet::new));
            if (modules.size() > 1) clashes.add(name + " is declared in " + modules.size() + " modules: " + declarations);
        });
        assertThat(clashes)
            .as("two modules declare a class of the same simple name (issue 10: a reader, a stack trace or an "
                + "import must not have to guess which one is meant; rename after the kernel's name for what "
                + "each one is)")
            .isEmpty();
    }

    // ---------------------------------------------------------------- 6. the cli uses the public faces only

    @ArchTest
    static final ArchRule cli_uses_only_api_capture_and_lab = classes()
        .that().resideInAPackage("io.jtipc.cli..").and().resideOutsideOfPackage("io.jtipc.cli.pcap..")
        .should().onlyDependOnClassesThat().resideInAnyPackage(
            "io.jtipc.cli..", "io.jtipc.api..", "io.jtipc.capture..", "io.jtipc.lab..",
            "java..", "javax..", "picocli..", "com.fasterxml.jackson..", "org.slf4j..", "sun.misc..")
        .orShould().haveNameMatching("io\\.jtipc\\.cli\\.SdNotify(\\$.*)?")
        .because("the jtipc command is a client of the public faces (issue 10): api for nodes, capture for "
            + "captures, lab for the kernel lab; only the dissector's printer (io.jtipc.cli.pcap) reads the wire "
            + "codecs directly (sun.misc: jdk.unsupported's Signal, for the service mode's SIGTERM/SIGINT, issue 17; "
            + "SdNotify: jnr-ffi for systemd's Unix datagram notify socket, which the JDK cannot open)");

    // ---------------------------------------------------------------- 7. direction of module dependencies

    @ArchTest
    static final ArchRule wire_depends_on_no_other_jtipc_package = classes().that().resideInAPackage("io.jtipc.wire..")
        .should().onlyDependOnClassesThat(not(resideInAPackage("io.jtipc..")).or(resideInAPackage("io.jtipc.wire.."))
            .as("classes outside io.jtipc or in io.jtipc.wire"))
        .because("the codecs are the bottom layer: the node, the capture dissector and the bearers all build on them");

    @ArchTest
    static final ArchRule nametable_depends_only_on_wire = classes().that().resideInAPackage("io.jtipc.nametable..")
        .should().onlyDependOnClassesThat(not(resideInAPackage("io.jtipc.."))
            .or(resideInAnyPackage("io.jtipc.nametable..", "io.jtipc.wire.."))
            .as("classes outside io.jtipc or in io.jtipc.nametable, io.jtipc.wire"))
        .because("the binding table (name_table.c, name_distr.c) sits between the codecs and the node");

    @ArchTest
    static final ArchRule node_depends_only_on_wire_and_nametable = classes().that().resideInAPackage("io.jtipc.node..")
        .should().onlyDependOnClassesThat(not(resideInAPackage("io.jtipc.."))
            .or(resideInAnyPackage("io.jtipc.node..", "io.jtipc.nametable..", "io.jtipc.wire.."))
            .as("classes outside io.jtipc or in io.jtipc.node, io.jtipc.nametable, io.jtipc.wire"))
        .because("the protocol core knows no bearer, api, capture or lab: they are built around it");

    @ArchTest
    static final ArchRule bearers_use_no_node_api_or_tool = noClasses().that().resideInAPackage("io.jtipc.bearer..")
        .should().dependOnClassesThat().resideInAnyPackage("io.jtipc.node..", "io.jtipc.nametable..", "io.jtipc.api..",
            "io.jtipc.capture..", "io.jtipc.cli..", "io.jtipc.lab..")
        .because("a bearer (io.jtipc.bearer and its media packages) is an I/O shell that moves frames; the node "
            + "and the api drive it, never the reverse");

    @ArchTest
    static final ArchRule udp_bearer_does_not_use_the_ethernet_bearer = noClasses().that().resideInAPackage("io.jtipc.bearer.udp..")
        .should().dependOnClassesThat().resideInAPackage("io.jtipc.bearer.eth..")
        .because("a UDP-only user must not pull in the AF_PACKET stack (issue 10): what both media share "
            + "(receive loop, backoff, NetNs, libc) lives in one common bearer module");

    @ArchTest
    static final ArchRule ethernet_bearer_does_not_use_the_udp_bearer = noClasses().that().resideInAPackage("io.jtipc.bearer.eth..")
        .should().dependOnClassesThat().resideInAPackage("io.jtipc.bearer.udp..")
        .because("the two media are siblings over one common bearer module (issue 10)");

    @ArchTest
    static final ArchRule capture_depends_only_on_wire = classes().that().resideInAPackage("io.jtipc.capture..")
        .should().onlyDependOnClassesThat(not(resideInAPackage("io.jtipc.."))
            .or(resideInAnyPackage("io.jtipc.capture..", "io.jtipc.wire.."))
            .as("classes outside io.jtipc or in io.jtipc.capture, io.jtipc.wire"))
        .because("the capture dissector reads what the codecs decode and never runs a node or a bearer");

    @ArchTest
    static final ArchRule micrometer_binder_uses_only_the_api = classes().that().resideInAPackage("io.jtipc.micrometer..")
        .should().onlyDependOnClassesThat(not(resideInAPackage("io.jtipc.."))
            .or(resideInAnyPackage("io.jtipc.micrometer..", "io.jtipc.api..", "io.jtipc.wire.."))
            .as("classes outside io.jtipc or in io.jtipc.micrometer, io.jtipc.api, io.jtipc.wire"))
        .because("the optional metrics module (issue 17) reads a node through its public API only, like any user "
            + "(io.jtipc.wire: the NodeId that TipcNode.identity() returns)");

    @ArchTest
    static final ArchRule only_the_micrometer_module_uses_micrometer = noClasses()
        .that().resideOutsideOfPackage("io.jtipc.micrometer..")
        .should().dependOnClassesThat().resideInAPackage("io.micrometer..")
        .because("Micrometer is optional (issue 17): the api offers JMX, which needs no dependency");

    @ArchTest
    static final ArchRule nothing_depends_on_the_cli = noClasses().that().resideOutsideOfPackage("io.jtipc.cli..")
        .should().dependOnClassesThat().resideInAPackage("io.jtipc.cli..")
        .because("the jtipc command is the top of the graph");

    @ArchTest
    static final ArchRule only_the_cli_uses_the_lab = noClasses()
        .that().resideOutsideOfPackages("io.jtipc.lab..", "io.jtipc.cli..", "io.jtipc.testcontainers..")
        .should().dependOnClassesThat().resideInAPackage("io.jtipc.lab..")
        .because("the kernel lab is a test harness and the `jtipc lab` command's engine; no library module "
            + "may need qemu to run (jtipc-testcontainers, test support too, boots the lab's images in containers)");

    @ArchTest
    static final ArchRule main_code_needs_no_test_framework = noClasses()
        .that().resideOutsideOfPackages("io.jtipc.lab.junit..", "io.jtipc.testcontainers..")
        .should().dependOnClassesThat().resideInAnyPackage("org.junit..", "org.assertj..", "io.jtipc.lab.junit..")
        .because("only the lab's JUnit extension (io.jtipc.lab.junit, module lab-junit) is built on a test "
            + "framework: the lab library, the cli and every library module run without one (issue 10: the CLI "
            + "depends on lab, not on a tests module); jtipc-testcontainers implements Testcontainers' Network, a "
            + "JUnit 4 TestRule");

    // ---------------------------------------------------------------- 8. one logging API

    @ArchTest
    static final ArchRule main_code_logs_through_slf4j_only = noClasses()
        .that().resideInAPackage("io.jtipc..")
        .and().resideOutsideOfPackages("io.jtipc.cli..", "io.jtipc.bench..", "io.jtipc.fuzz..")
        .should().dependOnClassesThat(
            belongToAnyOf(System.Logger.class, System.LoggerFinder.class)
                .or(resideInAPackage("java.util.logging.."))
                .as("are the JDK's loggers (java.lang.System$Logger and its Level, System$LoggerFinder, "
                    + "java.util.logging)"))
        .orShould().callMethod(System.class, "getLogger", String.class)
        .orShould().callMethod(System.class, "getLogger", String.class, java.util.ResourceBundle.class)
        .because("one logging API: SLF4J (DEVELOPERS.md): a library line logged through System.Logger or "
            + "java.util.logging bypasses the application's SLF4J binding and configuration (levels, appenders); "
            + "the cli, bench and fuzz modules are applications and test tools, not libraries");

    // ================================================================= conditions

    /** ThreadLocal, java.util.concurrent.atomic, volatile fields. */
    static ArchCondition<JavaClass> keepNoStateSharedBetweenThreads() {
        return new ArchCondition<>("keep no state shared between threads (ThreadLocal, java.util.concurrent.atomic, "
            + "volatile fields)") {
            @Override
            public void check(JavaClass c, ConditionEvents events) {
                for (JavaField f : c.getFields())
                    if (f.getModifiers().contains(JavaModifier.VOLATILE))
                        events.add(SimpleConditionEvent.violated(c, "volatile field " + f.getFullName()));
                for (Dependency d : c.getDirectDependenciesFromSelf()) {
                    JavaClass t = d.getTargetClass();
                    if (t.getName().equals("java.lang.ThreadLocal") || t.getName().equals("java.lang.InheritableThreadLocal")
                        || t.getPackageName().equals("java.util.concurrent.atomic"))
                        events.add(SimpleConditionEvent.violated(c, d.getDescription()));
                }
            }
        };
    }

    /** synchronized methods and blocks, Object.wait/notify, java.util.concurrent.locks. */
    static ArchCondition<JavaClass> takeNoLocks() {
        return new ArchCondition<>("take no locks (synchronized methods or blocks, Object.wait/notify/notifyAll, "
            + "java.util.concurrent.locks)") {
            private Map<String, List<MonitorEnters.Found>> monitorEnters = Map.of();

            @Override
            public void init(Collection<JavaClass> allObjectsToTest) {
                monitorEnters = MonitorEnters.in(allObjectsToTest);
            }

            @Override
            public void check(JavaClass c, ConditionEvents events) {
                for (JavaMethod m : c.getMethods())
                    if (m.getModifiers().contains(JavaModifier.SYNCHRONIZED))
                        events.add(SimpleConditionEvent.violated(c, "synchronized method " + m.getFullName() + " in " + where(m)));
                for (MonitorEnters.Found f : monitorEnters.getOrDefault(c.getName(), List.of()))
                    events.add(SimpleConditionEvent.violated(c, "synchronized block in " + c.getName() + " member '"
                        + f.member() + "' in (" + c.getSimpleName() + ".java:" + f.line() + ")"));
                for (JavaAccess<?> a : c.getAccessesFromSelf()) {
                    AccessTarget t = a.getTarget();
                    if (isObjectMonitorMethod(t))
                        events.add(SimpleConditionEvent.violated(c, a.getDescription()));
                }
                for (Dependency d : c.getDirectDependenciesFromSelf())
                    if (d.getTargetClass().getPackageName().startsWith("java.util.concurrent.locks"))
                        events.add(SimpleConditionEvent.violated(c, d.getDescription()));
            }
        };
    }

    private static boolean isObjectMonitorMethod(AccessTarget t) {
        if (!(t instanceof AccessTarget.MethodCallTarget)) return false;
        String n = t.getName();
        List<String> params = ((AccessTarget.MethodCallTarget) t).getRawParameterTypes().stream()
            .map(JavaClass::getName).collect(Collectors.toList());
        return (n.equals("notify") || n.equals("notifyAll")) && params.isEmpty()
            || n.equals("wait") && (params.isEmpty() || params.equals(List.of("long")) || params.equals(List.of("long", "int")));
    }

    /** System.currentTimeMillis/nanoTime, any java.time {@code now()}, java.time.Clock/InstantSource, new Date(), Calendar.getInstance. */
    static ArchCondition<JavaClass> readNoClock() {
        return new ArchCondition<>("read no clock (System.currentTimeMillis/nanoTime, java.time now(), "
            + "java.time.Clock/InstantSource, new java.util.Date(), Calendar.getInstance)") {
            @Override
            public void check(JavaClass c, ConditionEvents events) {
                for (JavaAccess<?> a : c.getAccessesFromSelf()) {
                    AccessTarget t = a.getTarget();
                    String owner = t.getOwner().getName(), name = t.getName();
                    boolean clock = owner.equals("java.lang.System") && (name.equals("currentTimeMillis") || name.equals("nanoTime"))
                        || owner.startsWith("java.time.") && name.equals("now")
                        || owner.equals("java.util.Date") && t instanceof AccessTarget.ConstructorCallTarget
                            && ((AccessTarget.ConstructorCallTarget) t).getRawParameterTypes().isEmpty()
                        || owner.equals("java.util.Calendar") && name.equals("getInstance");
                    if (clock) events.add(SimpleConditionEvent.violated(c, a.getDescription()));
                }
                for (Dependency d : c.getDirectDependenciesFromSelf()) {
                    String t = d.getTargetClass().getName();
                    if (t.equals("java.time.Clock") || t.equals("java.time.InstantSource"))
                        events.add(SimpleConditionEvent.violated(c, d.getDescription()));
                }
            }
        };
    }

    /** new Random() / new SplittableRandom() without seed, Math.random, SecureRandom, UUID.randomUUID. */
    static ArchCondition<JavaClass> drawNoUnseededRandomness() {
        return new ArchCondition<>("draw no unseeded randomness (new Random(), new SplittableRandom(), Math.random(), "
            + "SecureRandom, UUID.randomUUID())") {
            @Override
            public void check(JavaClass c, ConditionEvents events) {
                for (JavaAccess<?> a : c.getAccessesFromSelf()) {
                    AccessTarget t = a.getTarget();
                    String owner = t.getOwner().getName(), name = t.getName();
                    boolean unseeded = (owner.equals("java.util.Random") || owner.equals("java.util.SplittableRandom"))
                            && t instanceof AccessTarget.ConstructorCallTarget
                            && ((AccessTarget.ConstructorCallTarget) t).getRawParameterTypes().isEmpty()
                        || owner.equals("java.lang.Math") && name.equals("random")
                        || owner.equals("java.lang.StrictMath") && name.equals("random")
                        || owner.equals("java.util.UUID") && name.equals("randomUUID");
                    if (unseeded) events.add(SimpleConditionEvent.violated(c, a.getDescription()));
                }
                for (Dependency d : c.getDirectDependenciesFromSelf())
                    if (d.getTargetClass().getName().equals("java.security.SecureRandom"))
                        events.add(SimpleConditionEvent.violated(c, d.getDescription()));
            }
        };
    }

    /**
     * A class in a package {@code P.internal[.*]} is used only by classes of the same module whose package is
     * {@code P} or below it.
     */
    static ArchCondition<JavaClass> useNoInternalPackageOfAnotherModule() {
        return new ArchCondition<>("use no class of another module's internal package") {
            @Override
            public void check(JavaClass c, ConditionEvents events) {
                Set<String> seen = new TreeSet<>();
                for (Dependency d : c.getDirectDependenciesFromSelf()) {
                    JavaClass t = d.getTargetClass();
                    if (!t.getPackageName().startsWith("io.jtipc.")) continue;
                    String owner = Modules.ownerOfInternal(t.getPackageName());
                    if (owner == null) continue;
                    String from = c.getPackageName(), fromModule = Modules.of(c), toModule = Modules.of(t);
                    boolean samePackageTree = from.equals(owner) || from.startsWith(owner + ".");
                    if (samePackageTree && fromModule.equals(toModule)) continue;
                    if (!seen.add(t.getName() + "|" + d.getDescription())) continue;
                    events.add(SimpleConditionEvent.violated(c, "module " + fromModule + " uses " + toModule
                        + "'s internal " + t.getName() + ": " + d.getDescription()));
                }
            }
        };
    }

    /** Effectively public: the class and every class enclosing it are public. */
    static boolean isEffectivelyPublic(JavaClass c) {
        for (JavaClass x = c; x != null; x = x.getEnclosingClass().orElse(null))
            if (!x.getModifiers().contains(JavaModifier.PUBLIC)) return false;
        return true;
    }

    private static boolean isVisibleOutside(JavaClass owner, Set<JavaModifier> m) {
        return m.contains(JavaModifier.PUBLIC)
            || m.contains(JavaModifier.PROTECTED) && !owner.getModifiers().contains(JavaModifier.FINAL);
    }

    /**
     * The public signature of an effectively public class: supertypes, type parameters, and of its public
     * (and, if the class is not final, protected) fields, constructors and methods: types, parameters,
     * returns, type parameters and thrown exceptions, with every type argument and bound.
     */
    static ArchCondition<JavaClass> exposeInSignaturesNoClassThat(DescribedPredicate<JavaClass> forbidden) {
        return new ArchCondition<>("expose in public signatures no class of " + forbidden.getDescription()) {
            @Override
            public void check(JavaClass c, ConditionEvents events) {
                if (!isEffectivelyPublic(c) || c.isAnonymousClass() || c.isLocalClass()) return;
                String at = "(" + c.getSimpleName() + ".java:0)";
                c.getSuperclass().ifPresent(t -> report(c, "extends", t, at, events));
                for (JavaType t : c.getInterfaces()) report(c, "implements", t, at, events);
                for (JavaTypeVariable<JavaClass> v : c.getTypeParameters()) report(c, "type parameter", v, at, events);
                for (JavaField f : c.getFields())
                    if (isVisibleOutside(c, f.getModifiers()))
                        report(c, "field " + f.getName() + " has type", f.getType(), where(f), events);
                for (JavaCodeUnit u : c.getCodeUnits()) {
                    if (!isVisibleOutside(c, u.getModifiers()) || u.getModifiers().contains(JavaModifier.SYNTHETIC)
                        ) continue;
                    String what = (u.isConstructor() ? "constructor " : "method ") + u.getFullName();
                    for (JavaType p : u.getParameterTypes()) report(c, what + " takes", p, where(u), events);
                    if (u instanceof JavaMethod) report(c, what + " returns", u.getReturnType(), where(u), events);
                    for (JavaTypeVariable<?> v : u.getTypeParameters()) report(c, what + " has type parameter", v, where(u), events);
                    for (JavaClass x : u.getThrowsClause().getTypes()) report(c, what + " throws", x, where(u), events);
                }
            }

            private void report(JavaClass c, String what, JavaType type, String at, ConditionEvents events) {
                for (JavaClass t : type.getAllInvolvedRawTypes())
                    if (forbidden.test(t))
                        events.add(SimpleConditionEvent.violated(c, c.getName() + ": " + what + " "
                            + type.getName() + (type.getName().equals(t.getName()) ? "" : " (involving " + t.getName() + ")")
                            + " in " + at));
            }
        };
    }

    private static String where(JavaMember m) {
        return m.getSourceCodeLocation().toString();
    }
}
