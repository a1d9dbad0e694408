package io.jtipc.bearer.eth;

/**
 * The native layout of the batches {@link AfPacketTx} hands to {@code sendmmsg} and {@link AfPacketRx} to
 * {@code recvmmsg} on LP64 Linux: byte offsets and sizes of {@code struct mmsghdr} (include/linux/socket.h),
 * {@code struct iovec} (include/uapi/linux/uio.h) and the slot each frame's {@code sockaddr_ll} takes.
 */
final class MmsgLayout {
    // struct mmsghdr (64 bytes): struct msghdr {msg_name ptr @0, msg_namelen u32 @8, msg_iov ptr @16,
    // msg_iovlen size_t @24, msg_control ptr @32, msg_controllen size_t @40, msg_flags s32 @48}, msg_len u32 @56;
    // struct iovec (16 bytes): iov_base ptr @0, iov_len size_t @8
    static final int MMSG_SIZE = 64;
    static final int MSG_NAMELEN = 8;
    static final int MSG_IOV = 16;
    static final int MSG_IOVLEN = 24;
    static final int MSG_FLAGS = 48;
    static final int MSG_LEN = 56;
    static final int IOV_SIZE = 16;
    /** Bytes per frame for its sockaddr_ll (20 bytes, {@link AfPacketSocket#SLL_SIZE}), 8-byte aligned. */
    static final int ADDR_SLOT = 32;

    private MmsgLayout() {
    }
}
