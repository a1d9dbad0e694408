package io.jtipc.capture.filter;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A display filter in the style of Wireshark's, over the field paths of {@link FieldRecord} (the keys of
 * {@code jtipc pcap --json}). Parsed by a small recursive-descent parser; {@link #parse} is total: any string
 * gives a filter or a {@link FilterSyntaxException} with the position, never another exception.
 *
 * <pre>
 * filter     = or
 * or         = and { ("||" | "or") and }
 * and        = not { ("&amp;&amp;" | "and") not }
 * not        = ("!" | "not") not | "(" filter ")" | test
 * test       = FIELD [ op value | "contains" value ]
 * op         = "==" | "!=" | "&lt;" | "&gt;" | "&lt;=" | "&gt;=" | eq | ne | lt | gt | le | ge
 * value      = WORD | "quoted string" (\" and \\ escapes)
 * FIELD      = a path of {@link FieldCatalog}: letters, digits, '_' and '.', starting with a letter
 * WORD       = letters, digits and _ . : - / + (numbers, hex 0x.., enum names, MACs, ip:port, node ids)
 * </pre>
 *
 * <p>Semantics (one record; a field may occur several times in it, e.g. {@code item.type}):
 * <ul>
 * <li>A bare FIELD is true when the field occurs and is not the boolean {@code false}; a bare group
 * ({@code malformed}, {@code warning}, {@code ehdr}) when some field inside it occurs: {@code malformed} selects what
 * the kernel refuses, {@code warning} what it accepts with a part ignored ({@code TipcMessageListener#onWarning}).</li>
 * <li>{@code FIELD op value} is true when some occurrence compares so ({@code !=}: the field occurs and no
 * occurrence equals the value, as Wireshark 3.6+ {@code !=}). Numbers compare as numbers (decimal, {@code 0x}
 * hex, fractions for {@code time}); a non-numeric value compares with string fields and with the symbolic
 * form of numeric fields (case-insensitive; an enum matches with or without the kernel's {@code _MSG} suffix,
 * so {@code type == STATE} matches {@code STATE_MSG}); {@code true}/{@code false} with booleans. A numeric
 * value against a string field compares the text as written ({@code sender.addr == 1001001}).</li>
 * <li>{@code contains}: some string occurrence (or symbolic form) contains the value, case-insensitive.</li>
 * </ul>
 */
public final class DisplayFilter {
    /** Longest filter text accepted, characters (a bound on the parser's work and recursion). */
    public static final int MAX_LENGTH = 4096;
    /** Deepest nesting of parentheses and negations. */
    public static final int MAX_DEPTH = 64;

    private final String text;
    private final Expr root;

    private DisplayFilter(String text, Expr root) {
        this.text = text;
        this.root = root;
    }

    /** The filter's text as given. */
    public String text() { return text; }

    @Override public String toString() { return text; }

    /**
     * Parses {@code filter}.
     *
     * @throws FilterSyntaxException on a syntax error, an unknown field, a too long or too deep filter
     */
    public static DisplayFilter parse(String filter) {
        if (filter == null) throw new FilterSyntaxException("no filter", 0);
        if (filter.length() > MAX_LENGTH) {
            throw new FilterSyntaxException("filter longer than " + MAX_LENGTH + " characters", MAX_LENGTH);
        }
        Parser p = new Parser(filter);
        if (p.peek().kind == T.END) throw new FilterSyntaxException("empty filter", 0);
        Expr n = p.or(0);
        Tok t = p.peek();
        if (t.kind != T.END) throw new FilterSyntaxException("unexpected '" + t.text + "'", t.pos);
        return new DisplayFilter(filter, n);
    }

    /** True if the record matches. */
    public boolean matches(FieldRecord r) {
        return root.eval(r.values());
    }

    // ------------------------------------------------------------------ evaluation

    private interface Expr {
        boolean eval(List<FieldRecord.Value> vs);
    }

    private record Or(Expr a, Expr b) implements Expr {
        public boolean eval(List<FieldRecord.Value> vs) { return a.eval(vs) || b.eval(vs); }
    }

    private record And(Expr a, Expr b) implements Expr {
        public boolean eval(List<FieldRecord.Value> vs) { return a.eval(vs) && b.eval(vs); }
    }

    private record Not(Expr a) implements Expr {
        public boolean eval(List<FieldRecord.Value> vs) { return !a.eval(vs); }
    }

    private record Present(String path) implements Expr {
        public boolean eval(List<FieldRecord.Value> vs) {
            for (FieldRecord.Value v : vs) {
                String p = v.path();
                if (p.equals(path) && !(v.kind() == FieldRecord.Kind.BOOLEAN && v.number() == 0)) return true;
                if (p.length() > path.length() && p.charAt(path.length()) == '.' && p.startsWith(path)) return true;
            }
            return false;
        }
    }

    private enum Op { EQ, NE, LT, GT, LE, GE, CONTAINS }

    /** A literal: its text, and its number if it reads as one. */
    private record Literal(String text, BigDecimal number, Boolean bool) {
        static Literal of(String text, boolean quoted) {
            BigDecimal n = null;
            Boolean b = null;
            if (!quoted) {
                n = number(text);
                if (text.equalsIgnoreCase("true")) b = Boolean.TRUE;
                if (text.equalsIgnoreCase("false")) b = Boolean.FALSE;
            }
            return new Literal(text, n, b);
        }

        private static BigDecimal number(String t) {
            try {
                String s = t.toLowerCase(Locale.ROOT);
                boolean neg = s.startsWith("-");
                if (neg) s = s.substring(1);
                if (s.startsWith("0x") && s.length() > 2 && s.length() <= 18) {
                    BigDecimal v = new BigDecimal(new java.math.BigInteger(s.substring(2), 16));
                    return neg ? v.negate() : v;
                }
                if (s.isEmpty() || s.length() > 40 || !s.matches("[0-9]+(\\.[0-9]+)?")) return null;
                BigDecimal v = new BigDecimal(s);
                return neg ? v.negate() : v;
            } catch (NumberFormatException e) {
                return null;
            }
        }
    }

    private record Compare(String path, Op op, Literal lit) implements Expr {
        public boolean eval(List<FieldRecord.Value> vs) {
            boolean any = false, seen = false;
            for (FieldRecord.Value v : vs) {
                if (!v.path().equals(path)) continue;
                seen = true;
                if (op == Op.NE) {
                    if (compare(v, Op.EQ)) return false;
                } else if (compare(v, op)) {
                    any = true;
                    break;
                }
            }
            return op == Op.NE ? seen : any;
        }

        private boolean compare(FieldRecord.Value v, Op o) {
            if (o == Op.CONTAINS) {
                String s = v.kind() == FieldRecord.Kind.NUMBER && v.text() != null ? v.text() : v.display();
                return s.toLowerCase(Locale.ROOT).contains(lit.text.toLowerCase(Locale.ROOT));
            }
            switch (v.kind()) {
                case BOOLEAN:
                    if (lit.bool != null) return order(Boolean.compare(v.number() != 0, lit.bool), o);
                    return lit.number != null && order(BigDecimal.valueOf(v.number()).compareTo(lit.number), o);
                case NUMBER:
                    if (lit.number != null) return order(BigDecimal.valueOf(v.number()).compareTo(lit.number), o);
                    return v.text() != null && order(symbolCompare(v.text(), lit.text), o);
                case DECIMAL:
                    return lit.number != null && order(new BigDecimal(v.text()).compareTo(lit.number), o);
                default:
                    return v.text() != null && order(v.text().compareToIgnoreCase(lit.text), o);
            }
        }

        private static int symbolCompare(String sym, String lit) {
            if (sym.length() > 4 && sym.endsWith("_MSG") && sym.regionMatches(true, 0, lit, 0, sym.length() - 4)
                    && lit.length() == sym.length() - 4) {
                return 0;
            }
            return sym.compareToIgnoreCase(lit);
        }

        private static boolean order(int c, Op o) {
            switch (o) {
                case EQ: return c == 0;
                case NE: return c != 0;
                case LT: return c < 0;
                case GT: return c > 0;
                case LE: return c <= 0;
                default: return c >= 0;
            }
        }
    }

    // ------------------------------------------------------------------ parsing

    private enum T { LPAREN, RPAREN, AND, OR, NOT, OP, WORD, STRING, END }

    private record Tok(T kind, String text, int pos) { }

    private static final class Parser {
        private final List<Tok> toks = new ArrayList<>();
        private int i;

        Parser(String s) {
            int p = 0, n = s.length();
            while (p < n) {
                char c = s.charAt(p);
                if (Character.isWhitespace(c)) {
                    p++;
                } else if (c == '(') {
                    toks.add(new Tok(T.LPAREN, "(", p++));
                } else if (c == ')') {
                    toks.add(new Tok(T.RPAREN, ")", p++));
                } else if (s.startsWith("&&", p)) {
                    toks.add(new Tok(T.AND, "&&", p));
                    p += 2;
                } else if (s.startsWith("||", p)) {
                    toks.add(new Tok(T.OR, "||", p));
                    p += 2;
                } else if (s.startsWith("==", p) || s.startsWith("!=", p) || s.startsWith("<=", p) || s.startsWith(">=", p)) {
                    toks.add(new Tok(T.OP, s.substring(p, p + 2), p));
                    p += 2;
                } else if (c == '<' || c == '>') {
                    toks.add(new Tok(T.OP, String.valueOf(c), p++));
                } else if (c == '!') {
                    toks.add(new Tok(T.NOT, "!", p++));
                } else if (c == '=') {
                    throw new FilterSyntaxException("'=' is not an operator (use '==')", p);
                } else if (c == '"') {
                    StringBuilder b = new StringBuilder();
                    int start = p++;
                    while (true) {
                        if (p >= n) throw new FilterSyntaxException("unterminated string", start);
                        char d = s.charAt(p++);
                        if (d == '"') break;
                        if (d == '\\') {
                            if (p >= n) throw new FilterSyntaxException("unterminated string", start);
                            d = s.charAt(p++);
                        }
                        b.append(d);
                    }
                    toks.add(new Tok(T.STRING, b.toString(), start));
                } else if (isWord(c)) {
                    int start = p;
                    while (p < n && isWord(s.charAt(p))) p++;
                    String w = s.substring(start, p);
                    switch (w.toLowerCase(Locale.ROOT)) {
                        case "and": toks.add(new Tok(T.AND, w, start)); break;
                        case "or": toks.add(new Tok(T.OR, w, start)); break;
                        case "not": toks.add(new Tok(T.NOT, w, start)); break;
                        default: toks.add(new Tok(T.WORD, w, start));
                    }
                } else {
                    throw new FilterSyntaxException("unexpected character '" + printable(c) + "'", p);
                }
            }
            toks.add(new Tok(T.END, "end of filter", n));
        }

        private static boolean isWord(char c) {
            return c < 0x80 && (Character.isLetterOrDigit(c) || c == '_' || c == '.' || c == ':' || c == '-'
                    || c == '/' || c == '+');
        }

        private static String printable(char c) {
            return c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c);
        }

        Tok peek() { return toks.get(i); }

        Tok next() { return toks.get(i++); }

        Expr or(int depth) {
            Expr n = and(depth);
            while (peek().kind == T.OR) {
                next();
                n = new Or(n, and(depth));
            }
            return n;
        }

        Expr and(int depth) {
            Expr n = unary(depth);
            while (peek().kind == T.AND) {
                next();
                n = new And(n, unary(depth));
            }
            return n;
        }

        Expr unary(int depth) {
            Tok t = next();
            if (depth >= MAX_DEPTH) throw new FilterSyntaxException("filter nested deeper than " + MAX_DEPTH, t.pos);
            switch (t.kind) {
                case NOT:
                    return new Not(unary(depth + 1));
                case LPAREN: {
                    Expr n = or(depth + 1);
                    Tok r = next();
                    if (r.kind != T.RPAREN) throw new FilterSyntaxException("expected ')' but found " + describe(r), r.pos);
                    return n;
                }
                case WORD:
                    return test(t);
                default:
                    throw new FilterSyntaxException("expected a field name, '(' or '!' but found " + describe(t), t.pos);
            }
        }

        private Expr test(Tok field) {
            String path = field.text;
            if (!path.matches("[A-Za-z][A-Za-z0-9_.]*") || path.endsWith(".") || path.contains("..")) {
                throw new FilterSyntaxException("'" + path + "' is not a field name", field.pos);
            }
            if (!FieldCatalog.isKnown(path)) {
                throw new FilterSyntaxException("unknown field '" + path + "' (field names are the keys of "
                        + "'jtipc pcap --json', nested keys joined with '.', e.g. user, type, seq_gap, sender.addr)",
                        field.pos);
            }
            Tok t = peek();
            Op op = null;
            if (t.kind == T.OP) {
                op = op(t.text);
            } else if (t.kind == T.WORD) {
                switch (t.text.toLowerCase(Locale.ROOT)) {
                    case "eq": op = Op.EQ; break;
                    case "ne": op = Op.NE; break;
                    case "lt": op = Op.LT; break;
                    case "gt": op = Op.GT; break;
                    case "le": op = Op.LE; break;
                    case "ge": op = Op.GE; break;
                    case "contains": op = Op.CONTAINS; break;
                    default: throw new FilterSyntaxException("expected an operator after '" + path + "' but found '"
                            + t.text + "'", t.pos);
                }
            }
            if (op == null) return new Present(path);
            next();
            Tok v = next();
            if (v.kind != T.WORD && v.kind != T.STRING) {
                throw new FilterSyntaxException("expected a value after '" + t.text + "' but found " + describe(v), v.pos);
            }
            return new Compare(path, op, Literal.of(v.text, v.kind == T.STRING));
        }

        private static Op op(String s) {
            switch (s) {
                case "==": return Op.EQ;
                case "!=": return Op.NE;
                case "<": return Op.LT;
                case ">": return Op.GT;
                case "<=": return Op.LE;
                default: return Op.GE;
            }
        }

        private static String describe(Tok t) {
            return t.kind == T.END ? "the end of the filter" : "'" + t.text + "'";
        }
    }
}
