package io.jtipc.cli.pcap;

import io.jtipc.capture.TipcMessageListener;

/** An output format of {@code jtipc pcap}. */
interface Printer extends TipcMessageListener {
    /** Called once after the capture; flushes pending structure (not the stream). */
    void finish();
}
