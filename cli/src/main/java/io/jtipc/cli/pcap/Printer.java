package io.jtipc.cli.pcap;

import io.jtipc.capture.TipcMessageListener;

/** An output format of {@code jtipc pcap}. */
interface Printer extends TipcMessageListener {
    /** Called once after the capture; flushes pending structure (not the stream). */
    void finish();

    /**
     * The capture's first record was taken at {@code nanos} (ns since the epoch): the origin of relative
     * times. Printers that show them take it before the first message; the default ignores it.
     */
    default void captureStart(long nanos) {
    }
}
