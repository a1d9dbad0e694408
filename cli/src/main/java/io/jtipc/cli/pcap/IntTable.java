package io.jtipc.cli.pcap;

/**
 * A map from int keys to values without boxing: open addressing with linear probing, power-of-two
 * capacity, grown at half full. No removal (only {@link #clear}).
 */
final class IntTable<V> {
    private int[] keys = new int[32];
    private Object[] values = new Object[32];
    private int size;

    int size() { return size; }

    void clear() {
        if (size == 0) return;
        java.util.Arrays.fill(values, null);
        size = 0;
    }

    @SuppressWarnings("unchecked")
    V get(int key) {
        int mask = keys.length - 1;
        for (int i = mix(key) & mask; ; i = (i + 1) & mask) {
            Object v = values[i];
            if (v == null) return null;
            if (keys[i] == key) return (V) v;
        }
    }

    /** Sets the value of {@code key} (non-null). */
    void put(int key, V value) {
        if (value == null) throw new NullPointerException("value");
        if (2 * (size + 1) > keys.length) grow();
        int mask = keys.length - 1;
        for (int i = mix(key) & mask; ; i = (i + 1) & mask) {
            if (values[i] == null) {
                keys[i] = key;
                values[i] = value;
                size++;
                return;
            }
            if (keys[i] == key) {
                values[i] = value;
                return;
            }
        }
    }

    private void grow() {
        int[] ok = keys;
        Object[] ov = values;
        keys = new int[ok.length * 2];
        values = new Object[ov.length * 2];
        int mask = keys.length - 1;
        for (int j = 0; j < ok.length; j++) {
            if (ov[j] == null) continue;
            int i = mix(ok[j]) & mask;
            while (values[i] != null) i = (i + 1) & mask;
            keys[i] = ok[j];
            values[i] = ov[j];
        }
    }

    private static int mix(int k) {
        int h = k * 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}
