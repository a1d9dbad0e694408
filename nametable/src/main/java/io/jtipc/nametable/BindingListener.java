package io.jtipc.nametable;

/** Receives every change of a {@link BindingTable}, on the table's (single) thread, after the change is applied. */
@FunctionalInterface
public interface BindingListener {
    void onChange(BindingChange change);
}
