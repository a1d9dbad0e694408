package io.jtipc.capture;

/**
 * Counts for one {@link TipcCaptureDissector#dissect} run. Immutable.
 *
 * @param frames            records read from the file (including bad ones)
 * @param tipcFrames        frames whose media payload was TIPC (ethertype 0x88CA or a TIPC UDP port)
 * @param messages          messages reported through onMessage (all depths)
 * @param encryptedFrames   TIPC frames that were encrypted
 * @param decryptedFrames   encrypted frames decrypted with a known key
 * @param malformed         onMalformed reports (bad frames or fields, pcap-level problems included)
 * @param badRecords        records the file reader could not read (corrupt or truncated), at most a few:
 *                          reading stops at the first one
 * @param ipFragmentsDropped IP datagrams given up incomplete (timeout, memory bound or end of capture)
 * @param fileError         null if the whole file was read, else why reading stopped early
 * @param unsupportedLinkFrames frames whose link type the dissector does not read (see
 *                          {@link TipcCaptureDissector}); they cannot hold TIPC as far as it knows
 * @param unsupportedLinkType the first such LINKTYPE_ value, or -1
 * @param warnings          onWarning reports: findings the kernel accepts (see
 *                          {@link TipcMessageListener#onWarning}); not malformations, not part of {@link #clean()}
 */
public record CaptureSummary(long frames, long tipcFrames, long messages, long encryptedFrames,
                             long decryptedFrames, long malformed, long badRecords, long ipFragmentsDropped,
                             String fileError, long unsupportedLinkFrames, int unsupportedLinkType, long warnings) {

    /** A summary without warnings (the components before {@code warnings} was added). */
    public CaptureSummary(long frames, long tipcFrames, long messages, long encryptedFrames, long decryptedFrames,
                          long malformed, long badRecords, long ipFragmentsDropped, String fileError,
                          long unsupportedLinkFrames, int unsupportedLinkType) {
        this(frames, tipcFrames, messages, encryptedFrames, decryptedFrames, malformed, badRecords, ipFragmentsDropped,
                fileError, unsupportedLinkFrames, unsupportedLinkType, 0);
    }

    /** Encrypted frames no key decrypted. */
    public long undecryptedFrames() { return encryptedFrames - decryptedFrames; }

    /** True if the file was read to its end and nothing was malformed ({@link #warnings()} do not count). */
    public boolean clean() { return fileError == null && malformed == 0 && badRecords == 0; }
}
