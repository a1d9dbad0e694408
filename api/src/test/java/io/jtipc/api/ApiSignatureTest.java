package io.jtipc.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The api is the one public face: no type of the protocol core ({@code io.jtipc.node}) or the binding table
 * ({@code io.jtipc.nametable}) appears in a public or protected signature of a public api class (methods, fields,
 * constructors, supertypes, type parameters, nested types).
 */
class ApiSignatureTest {
    private static final String[] INTERNAL = {"io.jtipc.node.", "io.jtipc.nametable."};

    @Test
    void publicSignaturesUseNoCoreOrNametableType() throws Exception {
        List<String> leaks = new ArrayList<>();
        List<Class<?>> classes = apiClasses();
        assertThat(classes).contains(TipcNode.class, TipcSubscription.class, TopologyEvent.class, TipcError.class);
        for (Class<?> c : classes) {
            if (!isVisible(c)) continue;
            check(leaks, c + " supertype", c.getGenericSuperclass());
            for (Type t : c.getGenericInterfaces()) check(leaks, c + " implements", t);
            for (TypeVariable<?> v : c.getTypeParameters()) for (Type b : v.getBounds()) check(leaks, c + " <T>", b);
            for (Field f : c.getDeclaredFields()) {
                if (visible(f.getModifiers())) check(leaks, f.toString(), f.getGenericType());
            }
            for (Method m : c.getDeclaredMethods()) {
                if (visible(m.getModifiers()) && !m.isSynthetic()) executable(leaks, m);
            }
            for (Constructor<?> k : c.getDeclaredConstructors()) {
                if (visible(k.getModifiers()) && !k.isSynthetic()) executable(leaks, k);
            }
        }
        assertThat(leaks).isEmpty();
    }

    private static void executable(List<String> leaks, Executable e) {
        if (e instanceof Method m) check(leaks, e.toString(), m.getGenericReturnType());
        for (Type t : e.getGenericParameterTypes()) check(leaks, e.toString(), t);
        for (Type t : e.getGenericExceptionTypes()) check(leaks, e.toString(), t);
        for (TypeVariable<?> v : e.getTypeParameters()) for (Type b : v.getBounds()) check(leaks, e.toString(), b);
    }

    private static void check(List<String> leaks, String where, Type t) {
        if (t == null) return;
        String name = t.getTypeName();
        for (String p : INTERNAL) {
            if (name.contains(p)) leaks.add(where + ": " + name);
        }
    }

    private static boolean visible(int mods) {
        return Modifier.isPublic(mods) || Modifier.isProtected(mods);
    }

    /** Public, and so are all its enclosing classes. */
    private static boolean isVisible(Class<?> c) {
        for (Class<?> x = c; x != null; x = x.getEnclosingClass()) {
            if (!visible(x.getModifiers()) || x.isAnonymousClass() || x.isLocalClass()) return false;
        }
        return true;
    }

    /** Every class compiled into the api's io/jtipc/api directory (main, not tests). */
    private static List<Class<?>> apiClasses() throws IOException, URISyntaxException, ClassNotFoundException {
        Path root = Path.of(TipcNode.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path dir = root.resolve("io/jtipc/api");
        List<Class<?>> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String f = p.getFileName().toString();
                if (!f.endsWith(".class")) continue;
                out.add(Class.forName("io.jtipc.api." + f.substring(0, f.length() - 6), false,
                        ApiSignatureTest.class.getClassLoader()));
            }
        }
        return out;
    }
}
