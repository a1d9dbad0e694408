package io.jtipc.nametable;

/**
 * Counts the steps of every walk in one {@link BindingTable}: each range-tree node an insert, delete, update or
 * search passes through and each binding or node group a loop steps over. Hash lookups are not counted (O(1)
 * expected). A deterministic measure of the table's work, so tests can check that an operation stays
 * O(log n) rather than time it; one plain increment per step.
 */
final class VisitCounter {
    long visits;
}
