package dev.cimc.ir.text;

import dev.cimc.ir.diag.Location;

/**
 * The scanner under {@link IrParser}: a cursor over the source characters that recognizes one token class
 * at a time. The parser says which class it expects, because the format is context sensitive ({@code 1x2xf32}
 * inside a type, {@code %1} a value, {@code 1} an integer). Between tokens, {@link #skipTrivia} skips
 * whitespace and {@code //} comments and counts lines, so {@link #line} and {@link #lineStart} always
 * describe {@link #pos}. Failures become {@link ParseException}s with the source line and a caret.
 */
final class Lexer {
  static final int NONE = 0;
  static final int INT = 1;
  static final int FLOAT = 2;

  private static final int MAX_TOKEN_SHOWN = 40;
  private static final int MAX_LINE_SHOWN = 200;

  final char[] src;
  final int end;
  final String fileName;
  /** The next unread character; after a token method returns, the start of the next token. */
  int pos;
  /** 1-based line of {@link #pos}. */
  int line = 1;
  /** Offset of the first character of {@link #line}. */
  int lineStart;

  /** The last name read by {@link #scanName}: bare names point into {@link #src}, quoted ones into a scratch buffer. */
  char[] nameChars;
  int nameOff;
  int nameLen;
  int nameHash;
  boolean nameQuoted;
  private char[] scratch = new char[64];

  /** The range of the last literal classified by {@link #lexNumber}. */
  int numStart;
  int numEnd;

  Lexer(String text, String fileName) {
    this.src = text.toCharArray();
    this.end = src.length;
    this.fileName = fileName;
    if (end > 0 && src[0] == '\uFEFF') {
      pos = 1;
      lineStart = 1;
    }
  }

  // ---- trivia and single characters ----

  /** Skips spaces, tabs, line breaks and {@code //} comments, counting lines. */
  void skipTrivia() {
    int p = pos;
    char[] s = src;
    while (p < end) {
      char c = s[p];
      if (c == ' ' || c == '\t' || c == '\r') {
        p++;
      } else if (c == '\n') {
        p++;
        line++;
        lineStart = p;
      } else if (c == '/' && p + 1 < end && s[p + 1] == '/') {
        p += 2;
        while (p < end && s[p] != '\n') {
          p++;
        }
      } else {
        break;
      }
    }
    pos = p;
  }

  boolean atEnd() {
    return pos >= end;
  }

  /** The next character, or -1 at the end. */
  int peek() {
    return pos < end ? src[pos] : -1;
  }

  /** Consumes {@code c} (and the trivia after it) if it is next. */
  boolean eat(char c) {
    if (pos < end && src[pos] == c) {
      pos++;
      skipTrivia();
      return true;
    }
    return false;
  }

  void expect(char c) {
    if (!eat(c)) {
      throw expected("'" + c + "'");
    }
  }

  /** Consumes {@code c}; if absent, the message names {@code what}, e.g. {@code "',' or ')'"}. */
  void expect(char c, String what) {
    if (!eat(c)) {
      throw expected(what);
    }
  }

  /** True if the text at {@link #pos} starts with {@code s} (no word boundary check). */
  boolean startsWith(String s) {
    int n = s.length();
    if (pos + n > end) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      if (src[pos + i] != s.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /** True if the word {@code w} is next and not followed by another name character. */
  boolean atWord(String w) {
    return startsWith(w) && (pos + w.length() == end || !isNameChar(src[pos + w.length()]));
  }

  boolean eatWord(String w) {
    if (atWord(w)) {
      pos += w.length();
      skipTrivia();
      return true;
    }
    return false;
  }

  void expectWord(String w) {
    if (!eatWord(w)) {
      throw expected("'" + w + "'");
    }
  }

  private static final boolean[] NAME_CHARS = new boolean[128];

  static {
    for (char c = 0; c < 128; c++) {
      NAME_CHARS[c] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '_' || c == '$' || c == '.' || c == '-';
    }
  }

  /** The characters of bare names: {@code [A-Za-z0-9_$.-]}. */
  static boolean isNameChar(char c) {
    return c < 128 && NAME_CHARS[c];
  }

  static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  static boolean isLetter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  }

  /** End of the run of name characters starting at {@code p}. */
  int nameRunEnd(int p) {
    while (p < end && isNameChar(src[p])) {
      p++;
    }
    return p;
  }

  // ---- names and strings ----

  /**
   * Reads a bare name ({@code [A-Za-z0-9_$.-]+}) or a quoted string at {@link #pos}, just after its sigil,
   * into the {@code name*} fields; does not skip trivia afterwards.
   *
   * @param what what the parser expects, for the message, e.g. {@code "a value name"}
   * @param allowEmpty whether {@code ""} is acceptable
   */
  void scanName(String what, boolean allowEmpty) {
    int start = pos;
    if (pos < end && src[pos] == '"') {
      scanString();
      if (nameLen == 0 && !allowEmpty) {
        throw error(start, pos - start, "expected " + what + ", found an empty name", null);
      }
      return;
    }
    int p = pos;
    int h = 0;
    char[] s = src;
    while (p < end) {
      char c = s[p];
      if (!isNameChar(c)) {
        break;
      }
      h = 31 * h + c;
      p++;
    }
    if (p == start) {
      throw expected(what);
    }
    nameChars = s;
    nameOff = start;
    nameLen = p - start;
    nameHash = h;
    nameQuoted = false;
    pos = p;
  }

  /** The last scanned name as a string. */
  String nameString() {
    return new String(nameChars, nameOff, nameLen);
  }

  /**
   * Reads a quoted string at {@link #pos} (which holds {@code "}), decoding {@code \" \\ \n \t \XX}, into
   * the {@code name*} fields; does not skip trivia afterwards.
   */
  void scanString() {
    int start = pos;
    int p = pos + 1;
    int n = 0;
    int h = 0;
    char[] s = src;
    while (true) {
      if (p >= end || s[p] == '\n') {
        throw error(start, p - start, "unterminated string", "close the string with '\"' on the same line");
      }
      char c = s[p];
      if (c == '"') {
        p++;
        break;
      }
      if (c == '\\') {
        int esc = p;
        char d = p + 1 < end ? s[p + 1] : '\n';
        if (d == '"' || d == '\\') {
          c = d;
          p += 2;
        } else if (d == 'n') {
          c = '\n';
          p += 2;
        } else if (d == 't') {
          c = '\t';
          p += 2;
        } else if (hexValue(d) >= 0 && p + 2 < end && hexValue(s[p + 2]) >= 0) {
          c = (char) (hexValue(d) * 16 + hexValue(s[p + 2]));
          p += 3;
        } else {
          int len = d == '\n' || d == '\r' ? 1 : 2;
          throw error(esc, len, "invalid escape '" + printable(new String(s, esc, len)) + "' in string",
              "the escapes are \\\" \\\\ \\n \\t and \\XX with two hex digits");
        }
      } else {
        p++;
      }
      if (n == scratch.length) {
        scratch = java.util.Arrays.copyOf(scratch, n * 2);
      }
      scratch[n++] = c;
      h = 31 * h + c;
    }
    nameChars = scratch;
    nameOff = 0;
    nameLen = n;
    nameHash = h;
    nameQuoted = true;
    pos = p;
  }

  private static int hexValue(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  // ---- numbers ----

  /**
   * Classifies the literal at {@link #pos} without consuming it: {@link #INT} ({@code -?[0-9]+}),
   * {@link #FLOAT} (with a fraction or exponent, or {@code nan}, {@code inf}, {@code -inf}) or {@link #NONE}
   * (including malformed literals such as {@code 12ab}); sets {@link #numStart} and {@link #numEnd}.
   */
  int lexNumber() {
    int p = pos;
    char[] s = src;
    if (p < end && s[p] == '-') {
      p++;
    }
    int kind;
    if (p < end && isDigit(s[p])) {
      kind = INT;
      while (p < end && isDigit(s[p])) {
        p++;
      }
      if (p < end && s[p] == '.') {
        kind = FLOAT;
        p++;
        while (p < end && isDigit(s[p])) {
          p++;
        }
      }
      if (p < end && (s[p] == 'e' || s[p] == 'E')) {
        int q = p + 1;
        if (q < end && (s[q] == '+' || s[q] == '-')) {
          q++;
        }
        if (q < end && isDigit(s[q])) {
          kind = FLOAT;
          p = q;
          while (p < end && isDigit(s[p])) {
            p++;
          }
        }
      }
    } else if (wordAt(p, "inf") || (p == pos && wordAt(p, "nan"))) {
      kind = FLOAT;
      p += 3;
    } else {
      return NONE;
    }
    if (p < end && isNameChar(s[p])) {
      return NONE;
    }
    numStart = pos;
    numEnd = p;
    return kind;
  }

  private boolean wordAt(int p, String w) {
    int n = w.length();
    if (p + n > end) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      if (src[p + i] != w.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /** Moves past the literal found by {@link #lexNumber} and the trivia after it. */
  void consumeNumber() {
    pos = numEnd;
    skipTrivia();
  }

  /** The integer literal in {@code [s, e)}; fails on overflow of 64 bits. */
  long parseLong(int s, int e) {
    int p = s;
    boolean neg = src[p] == '-';
    if (neg) {
      p++;
    }
    long v = 0;
    // accumulate negatively so Long.MIN_VALUE fits
    for (; p < e; p++) {
      int d = src[p] - '0';
      if (v < (Long.MIN_VALUE + d) / 10) {
        throw error(s, e - s, "integer " + new String(src, s, e - s) + " does not fit in 64 bits",
            "integers range from -9223372036854775808 to 9223372036854775807");
      }
      v = v * 10 - d;
    }
    if (!neg) {
      if (v == Long.MIN_VALUE) {
        throw error(s, e - s, "integer " + new String(src, s, e - s) + " does not fit in 64 bits",
            "integers range from -9223372036854775808 to 9223372036854775807");
      }
      v = -v;
    }
    return v;
  }

  /** Reads an integer literal that must fit {@code [min, max]}; {@code what} names it for messages. */
  int expectInt(String what, int min, int max) {
    if (lexNumber() != INT) {
      throw expected(what);
    }
    long v = parseLong(numStart, numEnd);
    if (v < min || v > max) {
      throw error(numStart, numEnd - numStart, what + " " + v + " is out of range (" + min + ".." + max + ")", null);
    }
    consumeNumber();
    return (int) v;
  }

  /** Reads an int or float literal as a double. */
  double expectDouble(String what) {
    if (lexNumber() == NONE) {
      throw expected(what);
    }
    double d = Numbers.parseDouble(src, numStart, numEnd);
    consumeNumber();
    return d;
  }

  // ---- errors ----

  /** {@code expected <what>, found <the token at pos>}. */
  ParseException expected(String what) {
    return expectedAt(pos, what, null);
  }

  ParseException expected(String what, String hint) {
    return expectedAt(pos, what, hint);
  }

  ParseException expectedAt(int p, String what, String hint) {
    return error(p, tokenEnd(p) - p, "expected " + what + ", found " + describe(p), hint);
  }

  /** The token at {@code p} for a message: its text in quotes, or "end of file". */
  String describe(int p) {
    if (p >= end) {
      return "end of file";
    }
    char c = src[p];
    if (c == '\n' || c == '\r') {
      return "end of line";
    }
    if (c == ' ' || c == '\t') {
      return "whitespace";
    }
    String t = new String(src, p, tokenEnd(p) - p);
    if (t.length() > MAX_TOKEN_SHOWN) {
      t = t.substring(0, MAX_TOKEN_SHOWN - 3) + "...";
    }
    return "'" + printable(t) + "'";
  }

  /** The end of the token starting at {@code p}, for messages and carets. */
  int tokenEnd(int p) {
    if (p >= end) {
      return p;
    }
    char c = src[p];
    if (c == '"') {
      return stringEnd(p);
    }
    if ((c == '%' || c == '@') && p + 1 < end) {
      if (src[p + 1] == '"') {
        return stringEnd(p + 1);
      }
      int e = nameRunEnd(p + 1);
      return e > p + 1 ? e : p + 1;
    }
    if (c == '-' && p + 1 < end && src[p + 1] == '>') {
      return p + 2;
    }
    if (isNameChar(c)) {
      return nameRunEnd(p);
    }
    if (Character.isHighSurrogate(c) && p + 1 < end && Character.isLowSurrogate(src[p + 1])) {
      return p + 2;
    }
    return p + 1;
  }

  /** End of the string literal starting at {@code p} (after its closing quote, or at the end of the line). */
  private int stringEnd(int p) {
    int q = p + 1;
    while (q < end && src[q] != '\n') {
      if (src[q] == '\\') {
        q += 2;
        continue;
      }
      if (src[q] == '"') {
        return q + 1;
      }
      q++;
    }
    return Math.min(q, end);
  }

  /** Escapes control characters the way the printer does, so messages stay on one line. */
  static String printable(String s) {
    StringBuilder sb = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7F) {
        if (sb == null) {
          sb = new StringBuilder(s.substring(0, i));
        }
        sb.append('\\').append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 15, 16));
      } else if (sb != null) {
        sb.append(c);
      }
    }
    return sb == null ? s : sb.toString();
  }

  /**
   * An error at {@code [offset, offset + length)}: location {@code file:line:col}, and as detail the source
   * line with a caret ({@code ^~~~}) under the range. Errors at the end of the file point just after the
   * last non-blank character.
   */
  ParseException error(int offset, int length, String message, String hint) {
    int p = Math.max(0, Math.min(offset, end));
    if (p >= end) {
      while (p > 0 && (src[p - 1] == ' ' || src[p - 1] == '\t' || src[p - 1] == '\n' || src[p - 1] == '\r')) {
        p--;
      }
      length = 1;
    }
    int ln = 1;
    int ls = 0;
    for (int i = 0; i < p; i++) {
      if (src[i] == '\n') {
        ln++;
        ls = i + 1;
      }
    }
    int le = ls;
    while (le < end && src[le] != '\n') {
      le++;
    }
    if (le > ls && src[le - 1] == '\r') {
      le--;
    }
    int col = p - ls + 1;
    int from = ls;
    int to = le;
    String prefix = "";
    String suffix = "";
    if (le - ls > MAX_LINE_SHOWN) {
      from = Math.max(ls, p - 80);
      to = Math.min(le, from + MAX_LINE_SHOWN);
      prefix = from > ls ? "..." : "";
      suffix = to < le ? "..." : "";
    }
    var sb = new StringBuilder(to - from + 16);
    sb.append(prefix).append(printableTabsKept(from, to)).append(suffix).append('\n');
    for (int i = 0; i < prefix.length(); i++) {
      sb.append(' ');
    }
    for (int i = from; i < p && i < to; i++) {
      sb.append(src[i] == '\t' ? '\t' : ' ');
    }
    int caret = Math.max(1, Math.min(length, Math.max(1, to - p)));
    sb.append('^');
    for (int i = 1; i < caret; i++) {
      sb.append('~');
    }
    return new ParseException(new Location.FileLineCol(fileName, ln, col), message, hint, sb.toString());
  }

  /** The source range with control characters other than tab shown as spaces, so the caret stays aligned. */
  private String printableTabsKept(int from, int to) {
    char[] c = new char[to - from];
    for (int i = from; i < to; i++) {
      char x = src[i];
      c[i - from] = (x < 0x20 && x != '\t') || x == 0x7F ? ' ' : x;
    }
    return new String(c);
  }
}
