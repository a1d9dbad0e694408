package io.jtipc.wire;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

final class TestUtil {
    private TestUtil() {}

    static byte[] hex(String s) {
        s = s.replaceAll("[^0-9a-fA-F]", "");
        byte[] b = new byte[s.length() / 2];
        for (int i = 0; i < b.length; i++) b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        return b;
    }

    record Frame(int index, byte[] bytes) {}

    static List<Frame> hexResource(String name) throws IOException {
        List<Frame> out = new ArrayList<>();
        try (InputStream in = TestUtil.class.getResourceAsStream(name);
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("#") || line.isBlank()) continue;
                String[] p = line.trim().split(" ");
                out.add(new Frame(Integer.parseInt(p[0]), hex(p[1])));
            }
        }
        return out;
    }

    /** Ethernet frames of a classic libpcap file. */
    static List<Frame> pcapFrames(Path p) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(p));
        int magic = b.order(ByteOrder.LITTLE_ENDIAN).getInt(0);
        if (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d) b.order(ByteOrder.BIG_ENDIAN);
        List<Frame> out = new ArrayList<>();
        int pos = 24;
        int i = 0;
        while (pos + 16 <= b.limit()) {
            int cl = b.getInt(pos + 8);
            byte[] f = new byte[cl];
            b.get(pos + 16, f);
            out.add(new Frame(i++, f));
            pos += 16 + cl;
        }
        return out;
    }

    static final byte[] KEY = hex("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
    static final byte[] SALT = hex("11223344");

    /** Decrypts an encrypted TIPC frame of samples/udpcrypto-6.1.pcap (README there), JDK AES/GCM. */
    static byte[] decrypt(byte[] f) throws Exception {
        EncryptionHeader e = new EncryptionHeader().wrap(f, 0, f.length);
        int hs = e.headerSize();
        byte[] iv = new byte[12];
        EncryptionHeader.iv(SALT, e.addr(), e.seqno(), iv, 0);
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(KEY, "AES"), new GCMParameterSpec(128, iv));
        c.updateAAD(f, 0, hs);
        return c.doFinal(f, hs, f.length - hs);
    }

    /** Records everything a describer emits as "group/name" → value text. */
    static final class RecordingSink implements FieldSink {
        final Map<String, String> values = new LinkedHashMap<>();
        final List<String> order = new ArrayList<>();
        private final List<String> path = new ArrayList<>();
        int depth;

        private String key(String name) {
            return path.isEmpty() ? name : String.join("/", path) + "/" + name;
        }

        private void put(String name, String v) {
            String k = key(name);
            order.add(k);
            values.put(k, v);
        }

        @Override public void field(String name, long value, String symbolic) {
            put(name, symbolic == null ? Long.toString(value) : value + " (" + symbolic + ")");
        }
        @Override public void text(String name, String value) { put(name, value); }
        @Override public void bytes(String name, byte[] buf, int off, int len) {
            if (off < 0 || len < 0 || off + len > buf.length) throw new AssertionError("bad bytes range " + name);
            put(name, Bytes.hex(buf, off, len));
        }
        @Override public void beginGroup(String name) { path.add(name); depth++; }
        @Override public void endGroup() {
            if (path.isEmpty()) throw new AssertionError("endGroup without beginGroup");
            path.remove(path.size() - 1);
            depth--;
        }
        String get(String k) { return values.get(k); }
        long num(String k) {
            String v = values.get(k);
            if (v == null) throw new AssertionError("no field " + k + " in " + values.keySet());
            return Long.parseLong(v.split(" ")[0]);
        }
    }
}
