package dev.cimc.ir.npy;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses the Python literal subset a {@code .npy} header is written in: a dict of string keys whose values
 * are strings, integers, {@code True}/{@code False}/{@code None}, tuples, lists and dicts. Nothing is
 * evaluated; integers stay exact ({@link BigInteger}) so that absurd dimensions can be reported as such.
 */
final class HeaderParser {
  /** A Python tuple, kept apart from a list because the header's shape must be a tuple. */
  record Tuple(List<Object> items) {}

  /** Python's {@code None}. */
  enum None { NONE }

  /** A syntax error at a character offset of the header text. */
  static final class SyntaxError extends Exception {
    private static final long serialVersionUID = 1L;
    final int offset;

    SyntaxError(String message, int offset) {
      super(message);
      this.offset = offset;
    }
  }

  /** Deeper nesting than any dtype needs; the bound keeps hostile headers off the stack limit. */
  private static final int MAX_DEPTH = 32;

  private final String s;
  private int pos;

  private HeaderParser(String s) {
    this.s = s;
  }

  /** Parses a whole header: one dict literal, surrounded by optional whitespace. Keys keep their order. */
  static Map<String, Object> parseDict(String text) throws SyntaxError {
    var p = new HeaderParser(text);
    p.skipSpace();
    if (p.peek() != '{') {
      throw p.error("expected '{' at the start of the header");
    }
    Map<String, Object> d = p.dict(1);
    p.skipSpace();
    if (p.pos < p.s.length()) {
      throw p.error("unexpected text after the closing '}'");
    }
    return d;
  }

  private Map<String, Object> dict(int depth) throws SyntaxError {
    pos++; // '{'
    var d = new LinkedHashMap<String, Object>();
    while (true) {
      skipSpace();
      if (peek() == '}') {
        pos++;
        return d;
      }
      int keyAt = pos;
      if (peek() != '\'' && peek() != '"') {
        throw error("expected a string key or '}'");
      }
      String key = string();
      if (d.containsKey(key)) {
        throw new SyntaxError("duplicate key " + repr(key), keyAt);
      }
      skipSpace();
      if (peek() != ':') {
        throw error("expected ':' after key " + repr(key));
      }
      pos++;
      skipSpace();
      d.put(key, value(depth));
      skipSpace();
      if (peek() == ',') {
        pos++;
      } else if (peek() != '}') {
        throw error("expected ',' or '}'");
      }
    }
  }

  private Object value(int depth) throws SyntaxError {
    if (depth >= MAX_DEPTH) {
      throw error("values nested more than " + MAX_DEPTH + " deep");
    }
    char c = peek();
    if (c == '\'' || c == '"') {
      return string();
    } else if (c == '{') {
      return dict(depth + 1);
    } else if (c == '[') {
      return new ArrayList<>(sequence(']', depth + 1));
    } else if (c == '(') {
      return parenthesized(depth + 1);
    } else if (c == '-' || c == '+' || isDigit(c)) {
      return integer();
    } else if (Character.isLetter(c)) {
      int start = pos;
      while (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '_')) {
        pos++;
      }
      String word = s.substring(start, pos);
      switch (word) {
        case "True":
          return Boolean.TRUE;
        case "False":
          return Boolean.FALSE;
        case "None":
          return None.NONE;
        default:
          throw new SyntaxError("unknown name '" + word + "'", start);
      }
    }
    throw error("expected a value");
  }

  /** {@code (x)} is x itself; {@code ()}, {@code (x,)} and {@code (x, y)} are tuples. */
  private Object parenthesized(int depth) throws SyntaxError {
    pos++; // '('
    skipSpace();
    if (peek() == ')') {
      pos++;
      return new Tuple(List.of());
    }
    Object first = value(depth);
    skipSpace();
    if (peek() == ')') {
      pos++;
      return first;
    }
    var items = new ArrayList<Object>();
    items.add(first);
    return new Tuple(rest(')', items, depth));
  }

  private List<Object> sequence(char close, int depth) throws SyntaxError {
    pos++; // the opening bracket
    skipSpace();
    if (peek() == close) {
      pos++;
      return List.of();
    }
    var items = new ArrayList<Object>();
    items.add(value(depth));
    skipSpace();
    return rest(close, items, depth);
  }

  /** The items after the first, which has been read; at a ',' or the closing bracket. */
  private List<Object> rest(char close, List<Object> items, int depth) throws SyntaxError {
    while (true) {
      if (peek() == close) {
        pos++;
        return List.copyOf(items);
      }
      if (peek() != ',') {
        throw error("expected ',' or '" + close + "'");
      }
      pos++;
      skipSpace();
      if (peek() == close) {
        pos++;
        return List.copyOf(items);
      }
      items.add(value(depth));
      skipSpace();
    }
  }

  private BigInteger integer() throws SyntaxError {
    int start = pos;
    if (peek() == '-' || peek() == '+') {
      pos++;
    }
    int digits = pos;
    while (pos < s.length() && isDigit(s.charAt(pos))) {
      pos++;
    }
    if (pos == digits) {
      throw error("expected digits");
    }
    var v = new BigInteger(s.substring(start, pos));
    // Python 2 wrote long integers with an L suffix, e.g. (3L, 4L); numpy still reads them.
    if (pos < s.length() && (s.charAt(pos) == 'L' || s.charAt(pos) == 'l')) {
      pos++;
    }
    if (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '.')) {
      throw error("expected an integer");
    }
    return v;
  }

  private String string() throws SyntaxError {
    int start = pos;
    char quote = s.charAt(pos++);
    var sb = new StringBuilder();
    while (true) {
      if (pos >= s.length() || s.charAt(pos) == '\n') {
        throw new SyntaxError("unterminated string", start);
      }
      char c = s.charAt(pos++);
      if (c == quote) {
        return sb.toString();
      }
      if (c != '\\') {
        sb.append(c);
        continue;
      }
      if (pos >= s.length()) {
        throw new SyntaxError("unterminated string", start);
      }
      char e = s.charAt(pos++);
      switch (e) {
        case 'n' -> sb.append('\n');
        case 't' -> sb.append('\t');
        case 'r' -> sb.append('\r');
        case '0' -> sb.append('\0');
        case 'x' -> {
          if (pos + 2 > s.length()) {
            throw error("bad \\x escape");
          }
          try {
            sb.append((char) Integer.parseInt(s.substring(pos, pos + 2), 16));
          } catch (NumberFormatException ex) {
            throw error("bad \\x escape");
          }
          pos += 2;
        }
        default -> sb.append(e); // \\, \', \" and anything else literally
      }
    }
  }

  private void skipSpace() {
    while (pos < s.length() && (s.charAt(pos) == ' ' || s.charAt(pos) == '\t' || s.charAt(pos) == '\n' || s.charAt(pos) == '\r')) {
      pos++;
    }
  }

  private char peek() {
    return pos < s.length() ? s.charAt(pos) : '\0';
  }

  private SyntaxError error(String message) {
    return new SyntaxError(message, pos);
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  /** The Python repr of a parsed value, for messages. */
  static String repr(Object v) {
    if (v instanceof String str) {
      var sb = new StringBuilder("'");
      for (int i = 0; i < str.length(); i++) {
        char c = str.charAt(i);
        if (c == '\'' || c == '\\') {
          sb.append('\\').append(c);
        } else if (c < 0x20 || c == 0x7f) {
          sb.append(String.format("\\x%02x", (int) c));
        } else {
          sb.append(c);
        }
      }
      return sb.append('\'').toString();
    } else if (v instanceof Boolean b) {
      return b ? "True" : "False";
    } else if (v instanceof None) {
      return "None";
    } else if (v instanceof Tuple t) {
      return reprSequence(t.items(), "(", t.items().size() == 1 ? ",)" : ")");
    } else if (v instanceof List<?> l) {
      return reprSequence(l, "[", "]");
    } else if (v instanceof Map<?, ?> m) {
      var sb = new StringBuilder("{");
      for (var e : m.entrySet()) {
        sb.append(sb.length() > 1 ? ", " : "").append(repr(e.getKey())).append(": ").append(repr(e.getValue()));
      }
      return sb.append('}').toString();
    }
    return String.valueOf(v);
  }

  private static String reprSequence(List<?> items, String open, String close) {
    var sb = new StringBuilder(open);
    for (int i = 0; i < items.size(); i++) {
      sb.append(i == 0 ? "" : ", ").append(repr(items.get(i)));
    }
    return sb.append(close).toString();
  }
}
