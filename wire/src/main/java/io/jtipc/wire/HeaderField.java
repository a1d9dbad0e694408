package io.jtipc.wire;

import java.util.function.ObjLongConsumer;
import java.util.function.ToLongFunction;

/**
 * One header field of a given user/type: its kernel name, position (word, low bit, width in bits)
 * and the {@link TipcMsg} getter/setter that read and write it. {@link #get} returns the value as
 * the kernel accessor does (e.g. {@code hdr_sz} and {@code max_pkt} in bytes, {@code is_legacy}
 * inverted), so get/set are inverse of each other but not always the raw bits; {@link #rawMask()}
 * gives the bits the field occupies in its word.
 */
public final class HeaderField {
    /** How to render {@link FieldSink#field} symbolic text. */
    public enum Sym { NONE, USER, TYPE, ERRCODE, SCOPE, ADDR, CAPS, PLANE }

    private final String name;
    private final int word;
    private final int shift;
    private final int width;
    private final Sym sym;
    private final ToLongFunction<TipcMsg> getter;
    private final ObjLongConsumer<TipcMsg> setter;

    HeaderField(String name, int word, int shift, int width, Sym sym,
                ToLongFunction<TipcMsg> getter, ObjLongConsumer<TipcMsg> setter) {
        this.name = name;
        this.word = word;
        this.shift = shift;
        this.width = width;
        this.sym = sym;
        this.getter = getter;
        this.setter = setter;
    }

    public String name() { return name; }
    public int word() { return word; }
    /** Lowest bit of the field in its word (bit 0 = LSB of the big-endian word). */
    public int shift() { return shift; }
    public int width() { return width; }
    public Sym sym() { return sym; }

    /** Bits occupied in the word. */
    public int rawMask() {
        return (width == 32 ? -1 : ((1 << width) - 1)) << shift;
    }

    /** Reads the field through its TipcMsg getter (unsigned). */
    public long get(TipcMsg m) {
        return getter.applyAsLong(m);
    }

    /** Writes the field through its TipcMsg setter. */
    public void set(TipcMsg m, long v) {
        setter.accept(m, v);
    }

    /** Symbolic rendering of {@code v} for this field, or null. */
    public String symbolic(TipcMsg m, long v) {
        switch (sym) {
            case USER: {
                String s = Tipc.userName((int) v);
                return s != null ? s : "UNKNOWN_USER";
            }
            case TYPE: {
                String s = Tipc.typeName(m.user(), (int) v);
                return s != null ? s : "UNKNOWN_TYPE";
            }
            case ERRCODE: {
                String s = Tipc.errName((int) v);
                return s != null ? s : "UNKNOWN_ERRCODE";
            }
            case SCOPE: return Tipc.scopeName((int) v);
            case ADDR: return TipcAddr.toHex((int) v);
            case CAPS: return Tipc.capabilitiesString((int) v);
            case PLANE: return v >= 0 && v < PLANES.length ? PLANES[(int) v] : String.valueOf((char) ('A' + v));
            default: return null;
        }
    }

    private static final String[] PLANES = {"A", "B", "C", "D", "E", "F", "G", "H"};

    @Override
    public String toString() {
        return name + "(w" + word + " bits " + (shift + width - 1) + "-" + shift + ")";
    }
}
