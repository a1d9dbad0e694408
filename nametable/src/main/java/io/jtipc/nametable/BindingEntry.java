package io.jtipc.nametable;

/** One binding with its list links. */
final class BindingEntry {
    final Publication p;
    final RangeNode range;
    BindingNodeGroup group;
    /** Position in all_publ: smaller = nearer the head. */
    long label;
    boolean local;
    /** Bytes this binding is charged: {@link BindingTable#PUBLICATION_BYTES} and the structures in {@link #parts}. */
    int charge;
    /** The shared structures whose bytes {@link #charge} includes (BindingTable.PART_*): its first binding pays. */
    byte parts;
    BindingEntry allPrev;
    BindingEntry allNext;
    BindingEntry localPrev;
    BindingEntry localNext;
    BindingEntry agePrev;
    BindingEntry ageNext;
    BindingEntry groupPrev;
    BindingEntry groupNext;
    BindingEntry nodePrev;
    BindingEntry nodeNext;

    BindingEntry(Publication p, RangeNode range) {
        this.p = p;
        this.range = range;
    }
}
