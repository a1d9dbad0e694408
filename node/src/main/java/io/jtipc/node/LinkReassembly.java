package io.jtipc.node;

import io.jtipc.wire.FragmentAssembler;
import io.jtipc.wire.Malformation;

/**
 * A link's fragment reassembly ({@code l->reasm_buf}, msg.c {@code tipc_buf_append}) with its memory charged to a
 * per-link and a node-wide budget ({@link HoldBudget#REASM_LINK_BYTES}, {@link HoldBudget#REASM_TOTAL_BYTES}). The
 * bytes charged are the reassembly buffer's size. A fragment that would take either budget past its bound fails the
 * reassembly like any other reassembly error: the buffer is freed and the caller resets the link (link.c
 * tipc_link_input: "Unable to build fragment list", LINK_FAILURE_EVT).
 */
final class LinkReassembly {
    private final FragmentAssembler<LinkReassembly> asm = new FragmentAssembler<>(1);
    private final HoldBudget budget;
    /** Bytes and messages currently charged to {@link #budget}. */
    private long charged;
    /** Reassembly errors (each reset the link), since the link was created. */
    long errors;
    /** What the last error was. */
    String lastError = "";

    /** @param total the node-wide reassembly budget ({@link Net#reasmTotal}) */
    LinkReassembly(HoldBudget total) {
        this.budget = new HoldBudget(HoldBudget.REASM_LINK_BYTES, HoldBudget.REASM_LINK_MESSAGES, total);
    }

    /**
     * Appends one MSG_FRAGMENTER message (whole, header included).
     *
     * @return the whole message when this fragment completed it, else null; check {@link #failed} after a null
     */
    byte[] append(byte[] buf, int off, int len) {
        failed = false;
        FragmentAssembler.Result r = asm.append(this, buf, off, len);
        if (r.status() == FragmentAssembler.Status.ERROR) {
            fail(describe(r.malformation()));
            return null;
        }
        long held = asm.pendingBytes();
        if (held > charged) {
            if (!budget.take(held - charged, charged == 0 ? 1 : 0)) {
                fail("reassembly budget full (" + (held > budget.maxBytes ? "link: " + budget.maxBytes
                    : "node total: " + HoldBudget.REASM_TOTAL_BYTES) + " bytes)");
                return null;
            }
            charged = held;
        } else if (held < charged) {
            budget.give(charged - held, held == 0 ? 1 : 0);
            charged = held;
        }
        return r.status() == FragmentAssembler.Status.COMPLETE ? r.message() : null;
    }

    /** The last {@link #append} failed: state freed, the link is to be reset. */
    boolean failed;

    private void fail(String why) {
        asm.reset(this);
        release();
        errors++;
        lastError = why;
        failed = true;
    }

    private void release() {
        if (charged > 0) budget.give(charged, 1);
        charged = 0;
    }

    /** Drops the message in reassembly (link reset). */
    void reset() {
        asm.reset(this);
        release();
    }

    /** Bytes held in reassembly. */
    long bytes() { return charged; }

    static String describe(Malformation m) {
        return m.field() + ": " + m.reason();
    }
}
