package io.jtipc.nametable;

/** One node's bindings within one range, in all_publ order. */
final class BindingNodeGroup {
    final int node;
    BindingEntry head;
    BindingEntry tail;

    BindingNodeGroup(int node) {
        this.node = node;
    }
}
