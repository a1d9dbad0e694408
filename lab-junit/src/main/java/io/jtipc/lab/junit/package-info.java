/**
 * The kernel TIPC lab ({@code io.jtipc.lab}, module {@code lab}) in JUnit 5 tests.
 *
 * <ul>
 *   <li>{@link io.jtipc.lab.junit.LabExtension}: one {@link io.jtipc.lab.Lab} per test class (a {@code Lab}
 *       parameter), closed after the class; tests skipped with the reason where the lab cannot run
 *       (not root, tools missing); consoles printed when a test fails.</li>
 *   <li>{@link io.jtipc.lab.junit.CaptureCheck}: a lab capture dissected by jtipc's capture module must be
 *       clean (every frame decoded, no malformed report); lists the late fragments kernel senders put
 *       on the wire.</li>
 * </ul>
 *
 * <p>Kept out of {@code lab} so that the lab's other users (the {@code jtipc lab} and {@code jtipc node --lab}
 * commands) ship neither JUnit nor the capture module through it.
 */
package io.jtipc.lab.junit;
