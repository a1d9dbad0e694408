package io.jtipc.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ClassFileImporter;

/** The javap reader behind the no-locks rule finds a synchronized block, so that rule can fail. */
class MonitorEntersTest {
    static final class Locked {
        private final Object lock = new Object();
        private int n;

        void bump() {
            synchronized (lock) { // the line MonitorEnters must report
                n++;
            }
        }

        int plain() {
            return n;
        }
    }

    @Test
    void aSynchronizedBlockIsFoundWithItsMemberAndLine() {
        JavaClass c = new ClassFileImporter().importClass(Locked.class);
        Map<String, List<MonitorEnters.Found>> found = MonitorEnters.in(List.of(c));
        assertThat(found).containsOnlyKeys(Locked.class.getName());
        assertThat(found.get(Locked.class.getName())).singleElement().satisfies(f -> {
            assertThat(f.member()).contains("bump()");
            assertThat(f.line()).isEqualTo(20);
        });
    }
}
