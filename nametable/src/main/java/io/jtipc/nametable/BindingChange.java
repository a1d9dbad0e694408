package io.jtipc.nametable;

/**
 * One change of a {@link BindingTable}: a binding inserted or removed.
 *
 * @param changeCount the table's change counter after this change (1 for the first change ever;
 *                    strictly increasing by 1 per change)
 * @param published   true for an insertion, false for a removal
 * @param publication the binding concerned
 */
public record BindingChange(long changeCount, boolean published, Publication publication) {
}
