package dev.cimc.ir.text;

import dev.cimc.ir.attr.AttrKind;
import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.diag.Location;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.op.AttrSpec;
import dev.cimc.ir.op.OpDef;
import dev.cimc.ir.op.OpRegistry;
import dev.cimc.ir.op.Trait;
import dev.cimc.ir.tensor.Half;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.QuantParams;
import dev.cimc.ir.type.Shape;
import dev.cimc.ir.type.TensorType;
import dev.cimc.ir.verify.Verifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Reads the cimc text format (what {@link IrPrinter} writes, plus free whitespace and {@code //} comments)
 * back into a {@link Graph}, then runs the {@link Verifier}.
 *
 * <p>Hand-written lexer and recursive-descent parser rather than a generated one, for two reasons. Speed:
 * no token objects and no substring per token; value names, op names, types and attribute dictionaries are
 * looked up straight from the source characters and cached by their text, so large graphs parse at hundreds
 * of thousands of nodes per second. Precise messages: each rule knows what it expected, so every error reads
 * {@code file:line:col: error: expected X, found Y} with the source line, a caret under the token and a hint.
 *
 * <p>What the parser resolves and what it leaves to the verifier: names (undefined or redefined values),
 * ops (unknown names, with a "did you mean"), types, literals and blob references are checked here, because
 * no graph can hold them otherwise. Result types are taken as declared and attributes as written (an integer
 * literal becomes a float where the op's schema asks for one, {@code []} takes its kind from the schema), so
 * disagreements with type inference or the schema are reported by the verifier with the node's location.
 * Every node's location is where its first result (or its op name) starts, unless it carries {@code loc(...)}.
 */
public final class IrParser {
  private static final String BLOB_HINT =
      "pass the side file written with the .cir (or print without --elide-constants)";
  private static final ElementType[] ELEMENT_TYPES = ElementType.values();
  private static final String TYPE_START = "tensor<";
  /** Element count above which a constant is refused (an array cannot hold it). */
  private static final long MAX_CONSTANT_ELEMENTS = Integer.MAX_VALUE - 8;
  /** Numbers longer than this many digits are names like any other. */
  private static final int MAX_NUMBER_DIGITS = 9;

  private final Lexer lx;
  private final OpRegistry registry;
  private final Map<String, Tensor> blobs;
  private final SpanTable<Value> values;
  /**
   * Values named by plain numbers ({@code %0}, {@code %1}, ...: most of what the printer writes), indexed by
   * the number; a use usually reads a value defined a few lines above, so this stays in cache where a hash
   * table would not. {@link #numberedAt} holds where each was defined.
   */
  private Value[] numbered = new Value[256];
  private int[] numberedAt = new int[256];
  private int numberedCount;
  /** True once a number too large for {@link #numbered} went to the hash table, which lookups must then check. */
  private boolean numbersInTable;
  private final SpanTable<TensorType> types = new SpanTable<>(64);
  private final SpanTable<OpDef> ops = new SpanTable<>(32);
  private final SpanTable<String> attrNames = new SpanTable<>(32);
  private final SpanTable<CachedAttributes> attrDicts = new SpanTable<>(64);
  private Graph graph;

  /** Element literals of the tensor literal being read: start and end offsets, pairwise. */
  private int[] elems = new int[64];
  private long[] longScratch = new long[16];
  private double[] doubleScratch = new double[16];
  private int[] dimScratch = new int[8];
  /** Blobs seen under a declared quantized or sub-byte type, by blob name. */
  private final Map<String, Tensor> retypedBlobs = new java.util.HashMap<>();

  private IrParser(String text, String fileName, OpRegistry registry, Map<String, Tensor> blobs) {
    this.lx = new Lexer(text, fileName == null ? "<input>" : fileName);
    this.registry = registry;
    this.blobs = blobs == null ? Map.of() : blobs;
    this.values = new SpanTable<>(Math.max(64, text.length() / 256));
  }

  /**
   * Parses one graph and verifies it.
   *
   * @param text the {@code .cir} text
   * @param fileName the name used in locations and messages
   * @param registry the ops the text may use
   * @param blobs the tensors of {@code @name} constants (the side file written with the text); may be null
   * @throws ParseException on malformed text, unknown names or missing blobs
   * @throws dev.cimc.ir.verify.VerificationException if the graph parses but is invalid
   */
  public static Graph parse(String text, String fileName, OpRegistry registry, Map<String, Tensor> blobs) {
    Graph g = parseUnverified(text, fileName, registry, blobs);
    Verifier.check(g);
    return g;
  }

  /** Parses without running the verifier (for tests that look at what the parser itself builds). */
  static Graph parseUnverified(String text, String fileName, OpRegistry registry, Map<String, Tensor> blobs) {
    return new IrParser(text, fileName, registry, blobs).parseGraph();
  }

  /** Parses a graph without blobs (every constant must be inline). */
  public static Graph parse(String text, String fileName, OpRegistry registry) {
    return parse(text, fileName, registry, Map.of());
  }

  /** Parses a standalone type such as {@code tensor<2x3xf32>}; errors are located in {@code fileName}. */
  public static TensorType parseType(String text, String fileName) {
    var p = new IrParser(text, fileName, null, Map.of());
    p.lx.skipTrivia();
    TensorType t = p.parseType("a type 'tensor<...>'");
    if (!p.lx.atEnd()) {
      throw p.lx.expected("end of type");
    }
    return t;
  }

  // ---- graph ----

  private Graph parseGraph() {
    lx.skipTrivia();
    if (!lx.eatWord("graph")) {
      throw lx.expected("'graph'");
    }
    if (lx.peek() != '@') {
      throw lx.expected("a graph name '@name'");
    }
    lx.pos++;
    lx.scanName("a graph name", true);
    graph = new Graph(lx.nameString());
    lx.skipTrivia();
    lx.expect('(');
    if (!lx.eat(')')) {
      do {
        parseInput();
      } while (lx.eat(','));
      lx.expect(')', "',' or ')'");
    }
    if (!lx.startsWith("->")) {
      throw lx.expected("'->'");
    }
    lx.pos += 2;
    lx.skipTrivia();
    var declared = new ArrayList<TensorType>();
    if (lx.eat('(')) {
      if (!lx.eat(')')) {
        do {
          declared.add(parseType("a result type"));
        } while (lx.eat(','));
        lx.expect(')', "',' or ')'");
      }
    } else {
      declared.add(parseType("a result type or '('"));
    }
    lx.expect('{');
    while (!lx.atWord("return")) {
      int c = lx.peek();
      if (c != '%' && (c < 0 || !Lexer.isLetter((char) c))) {
        throw lx.expected("a node or 'return'");
      }
      parseNode();
    }
    int retAt = lx.pos;
    lx.eatWord("return");
    var outs = new ArrayList<Value>();
    var outAt = new ArrayList<int[]>();
    if (lx.peek() == '%') {
      do {
        int at = lx.pos;
        outs.add(parseUse());
        outAt.add(new int[] {at, lx.tokenEnd(at) - at});
      } while (lx.eat(','));
    }
    if (outs.size() != declared.size()) {
      throw lx.error(retAt, 6, "expected " + plural(declared.size(), "return value") + " (the signature of @"
          + printedName(graph.name()) + " declares " + declared.size() + "), found " + outs.size(), null);
    }
    for (int i = 0; i < outs.size(); i++) {
      if (!outs.get(i).type().equals(declared.get(i))) {
        int[] at = outAt.get(i);
        throw lx.error(at[0], at[1], "return value %" + printedName(outs.get(i).name()) + " has type "
            + outs.get(i).type() + ", but the signature declares " + declared.get(i), null);
      }
    }
    lx.expect('}', outs.isEmpty() ? "a value or '}'" : "',' or '}'");
    if (!lx.atEnd()) {
      throw lx.expected("end of file");
    }
    graph.setOutputs(outs);
    return graph;
  }

  private void parseInput() {
    int at = lx.pos;
    if (lx.peek() != '%') {
      throw lx.expected("an input '%name: type'");
    }
    lx.pos++;
    lx.scanName("a value name", false);
    checkNotDefined(at);
    int number = nameNumber();
    char[] keyChars = keyChars();
    int keyOff = lx.nameQuoted ? 0 : lx.nameOff;
    int keyLen = lx.nameLen;
    int keyHash = lx.nameHash;
    String name = lx.nameString();
    lx.skipTrivia();
    lx.expect(':');
    TensorType t = parseType("a type 'tensor<...>'");
    Value v = graph.addInput(name, t);
    defineValue(number, keyChars, keyOff, keyLen, keyHash, v, at);
  }

  // ---- nodes ----

  /** A constant's tensor literal whose type is known only after the {@code :}. */
  private static final class PendingTensor {
    /** Where the literal starts and how long it is, for messages. */
    int at;
    int length;
    /** A blob reference: the blob and its name, or null. */
    Tensor blob;
    String blobName;
    /** {@code dense<v>}: one value for every element. */
    boolean splat;
    int count;
  }

  // The results of the node being read, and reusable lists for Graph.append (which copies what it keeps).
  private String[] resNames = new String[4];
  private char[][] resKeys = new char[4][];
  private int[] resOffs = new int[4];
  private int[] resHashes = new int[4];
  private int[] resAts = new int[4];
  private int[] resNumbers = new int[4];
  private final ArrayList<Value> operandList = new ArrayList<>();
  private final ArrayList<TensorType> typeList = new ArrayList<>();
  private final ArrayList<String> nameList = new ArrayList<>();

  private void parseNode() {
    int start = lx.pos;
    int line = lx.line;
    int col = start - lx.lineStart + 1;
    int numResults = 0;
    if (lx.peek() == '%') {
      do {
        int at = lx.pos;
        if (lx.peek() != '%') {
          throw lx.expected("a result '%name'");
        }
        lx.pos++;
        lx.scanName("a value name", false);
        checkNotDefined(at);
        String name = lx.nameString();
        for (int i = 0; i < numResults; i++) {
          if (resHashes[i] == lx.nameHash && resNames[i].equals(name)) {
            throw lx.error(at, lx.pos - at, "redefinition of value " + sigilName(), sigilName()
                + " is already a result of this node");
          }
        }
        if (numResults == resNames.length) {
          int n = numResults * 2;
          resNames = Arrays.copyOf(resNames, n);
          resKeys = Arrays.copyOf(resKeys, n);
          resOffs = Arrays.copyOf(resOffs, n);
          resHashes = Arrays.copyOf(resHashes, n);
          resAts = Arrays.copyOf(resAts, n);
          resNumbers = Arrays.copyOf(resNumbers, n);
        }
        resNames[numResults] = name;
        resKeys[numResults] = keyChars();
        resOffs[numResults] = lx.nameQuoted ? 0 : lx.nameOff;
        resHashes[numResults] = lx.nameHash;
        resAts[numResults] = at;
        resNumbers[numResults] = nameNumber();
        numResults++;
        lx.skipTrivia();
      } while (lx.eat(','));
      lx.expect('=');
    }
    OpDef op = parseOpName();
    ArrayList<Value> operands = operandList;
    operands.clear();
    Attributes attrs = Attributes.EMPTY;
    PendingTensor pending = null;
    if (lx.peek() == '(') {
      lx.eat('(');
      if (!lx.eat(')')) {
        do {
          operands.add(parseUse());
        } while (lx.eat(','));
        lx.expect(')', "',' or ')'");
      }
      if (lx.peek() == '{') {
        attrs = parseAttrDict(op);
      }
    } else if (op.has(Trait.CONSTANT_LIKE)) {
      pending = parseTensorRef();
    } else {
      throw lx.expected("'(' after the op name");
    }
    int colonAt = lx.pos;
    lx.expect(':');
    int typesAt = lx.pos;
    int typesEnd = typesAt;
    ArrayList<TensorType> types = typeList;
    types.clear();
    if (numResults > 0 || pending != null || lx.startsWith(TYPE_START)) {
      do {
        types.add(parseType("a result type 'tensor<...>'"));
        typesEnd = lastTypeEnd;
      } while (lx.eat(','));
    }
    int numTypes = types.size();
    if (numTypes != numResults) {
      int at = numTypes == 0 ? colonAt : typesAt;
      int len = numTypes == 0 ? 1 : typesEnd - typesAt;
      throw lx.error(at, len, "expected " + plural(numResults, "result type") + ", found " + numTypes,
          "write one type per result, separated by ','");
    }
    if (pending != null && numResults != 1) {
      throw lx.error(start, typesEnd - start, "expected 1 result for " + op.fullName() + ", found " + numResults,
          null);
    }
    Location loc;
    if (lx.atWord("loc")) {
      loc = parseLoc();
    } else {
      loc = new Location.FileLineCol(lx.fileName, line, col);
    }
    if (pending != null) {
      attrs = Attributes.of("value", new Attribute.TensorAttr(materialize(pending, types.get(0), typesAt, typesEnd)));
    }
    ArrayList<String> names = nameList;
    names.clear();
    for (int i = 0; i < numResults; i++) {
      names.add(resNames[i]);
    }
    Node n = graph.append(op, operands, attrs, types, names, loc);
    for (int i = 0; i < numResults; i++) {
      defineValue(resNumbers[i], resKeys[i], resOffs[i], resNames[i].length(), resHashes[i], n.result(i), resAts[i]);
      resNames[i] = null;
      resKeys[i] = null;
    }
  }

  /** The key array of the last scanned name: the source itself for bare names, a copy for quoted ones. */
  private char[] keyChars() {
    return lx.nameQuoted ? Arrays.copyOfRange(lx.nameChars, lx.nameOff, lx.nameOff + lx.nameLen) : lx.src;
  }

  /** The last scanned name as a number ("0", "17"; not "007"), or -1. */
  private int nameNumber() {
    int len = lx.nameLen;
    if (len > MAX_NUMBER_DIGITS) {
      return -1;
    }
    char[] a = lx.nameChars;
    int off = lx.nameOff;
    if (len > 1 && a[off] == '0') {
      return -1;
    }
    int n = 0;
    for (int i = off; i < off + len; i++) {
      char c = a[i];
      if (c < '0' || c > '9') {
        return -1;
      }
      n = n * 10 + (c - '0');
    }
    return n;
  }

  /** The slot of the last scanned name in the hash table, or -1. */
  private int tableSlot(int number) {
    if (number >= 0 && !numbersInTable) {
      return -1;
    }
    return values.find(lx.nameChars, lx.nameOff, lx.nameLen, lx.nameHash);
  }

  /** The value of the last scanned name, or null. */
  private Value lookupValue() {
    int n = nameNumber();
    if (n >= 0 && n < numbered.length && numbered[n] != null) {
      return numbered[n];
    }
    int slot = tableSlot(n);
    return slot < 0 ? null : values.value(slot);
  }

  private void checkNotDefined(int at) {
    int n = nameNumber();
    int first = -1;
    if (n >= 0 && n < numbered.length && numbered[n] != null) {
      first = numberedAt[n];
    } else {
      int slot = tableSlot(n);
      if (slot >= 0) {
        first = values.aux(slot);
      }
    }
    if (first >= 0) {
      throw lx.error(at, lx.pos - at, "redefinition of value " + sigilName(),
          sigilName() + " is already defined at line " + lineOf(first));
    }
  }

  /**
   * Records a definition; {@code number} is the name's number or -1. Numbers go to {@link #numbered} while
   * the array stays proportional to the values seen, so one stray {@code %99999999} costs no memory.
   */
  private void defineValue(int number, char[] key, int keyOff, int keyLen, int hash, Value v, int at) {
    if (number >= 0 && number < 65_536 + 2L * numberedCount) {
      if (number >= numbered.length) {
        int cap = Math.max(number + 1, numbered.length * 2);
        numbered = Arrays.copyOf(numbered, cap);
        numberedAt = Arrays.copyOf(numberedAt, cap);
      }
      numbered[number] = v;
      numberedAt[number] = at;
      numberedCount++;
    } else {
      numbersInTable |= number >= 0;
      values.put(key, keyOff, keyLen, hash, v, at);
    }
  }

  private int lineOf(int offset) {
    int ln = 1;
    for (int i = 0; i < offset && i < lx.end; i++) {
      if (lx.src[i] == '\n') {
        ln++;
      }
    }
    return ln;
  }

  /** {@code %name} of the last scanned name, quoted as the printer would. */
  private String sigilName() {
    return "%" + printedName(lx.nameString());
  }

  private static String printedName(String name) {
    var sb = new StringBuilder(name.length() + 2);
    IrPrinter.appendName(sb, name);
    return sb.toString();
  }

  private Value parseUse() {
    int at = lx.pos;
    if (lx.peek() != '%') {
      throw lx.expected("a value '%name'");
    }
    lx.pos++;
    lx.scanName("a value name", false);
    Value v = lookupValue();
    if (v == null) {
      String n = sigilName();
      throw lx.error(at, lx.pos - at, "use of undefined value " + n, n + " is not defined before this use");
    }
    lx.skipTrivia();
    return v;
  }

  private OpDef parseOpName() {
    int at = lx.pos;
    if (at >= lx.end || !Lexer.isLetter(lx.src[at])) {
      throw lx.expected("an op name");
    }
    char[] src = lx.src;
    int e = at;
    int h = 0;
    while (e < lx.end && Lexer.isNameChar(src[e])) {
      h = 31 * h + src[e];
      e++;
    }
    OpDef op = ops.get(src, at, e - at, h);
    if (op == null) {
      String name = new String(lx.src, at, e - at);
      op = registry.lookup(name).orElse(null);
      if (op == null) {
        throw lx.error(at, e - at, "unknown op '" + name + "'", suggestOp(name));
      }
      ops.put(lx.src, at, e - at, h, op, at);
    }
    lx.pos = e;
    lx.skipTrivia();
    return op;
  }

  /** "did you mean `x`?" for the registered op nearest by edit distance, or null if none is close. */
  private String suggestOp(String name) {
    String best = null;
    int bestDist = Integer.MAX_VALUE;
    for (String candidate : registry.names()) {
      int d;
      int dot = candidate.lastIndexOf('.');
      if (candidate.substring(dot + 1).equals(name)) {
        d = 0;
      } else {
        d = dev.cimc.ir.diag.Spelling.distance(name, candidate);
      }
      if (d < bestDist) {
        bestDist = d;
        best = candidate;
      }
    }
    if (best == null || bestDist > Math.max(2, name.length() / 3)) {
      return null;
    }
    return "did you mean `" + best + "`?";
  }

  private Location parseLoc() {
    lx.expectWord("loc");
    lx.expect('(');
    if (lx.peek() != '"') {
      throw lx.expected("a string");
    }
    lx.scanString();
    String first = lx.nameString();
    lx.skipTrivia();
    Location loc;
    if (lx.eat(':')) {
      int line = lx.expectInt("a line number", 0, Integer.MAX_VALUE);
      lx.expect(':');
      int col = lx.expectInt("a column number", 0, Integer.MAX_VALUE);
      loc = new Location.FileLineCol(first, line, col);
    } else if (lx.eatWord("in")) {
      if (lx.peek() != '"') {
        throw lx.expected("a file name string");
      }
      lx.scanString();
      String file = lx.nameString();
      lx.skipTrivia();
      loc = new Location.Named(file, first);
    } else {
      loc = new Location.Named(null, first);
    }
    lx.expect(')', "':', 'in' or ')'");
    return loc;
  }

  // ---- attributes ----

  /** A parsed dictionary, reused for later nodes of the same op with the same dictionary text. */
  private static final class CachedAttributes {
    final OpDef op;
    final Attributes attributes;

    CachedAttributes(OpDef op, Attributes attributes) {
      this.op = op;
      this.attributes = attributes;
    }
  }

  private Attributes parseAttrDict(OpDef op) {
    int start = lx.pos;
    // Dictionaries repeat (every conv of a network has the same strides and pads): when this one sits on one
    // line without strings, comments or tensors, look it up by its text first.
    char[] s = lx.src;
    int p = start + 1;
    int h = '{';
    boolean cacheable = false;
    while (p < lx.end) {
      char c = s[p];
      h = 31 * h + c;
      p++;
      if (c == '}') {
        cacheable = true;
        break;
      }
      if (c == '\n' || c == '"' || c == '/' || c == '@' || c == '<') {
        break;
      }
    }
    if (cacheable) {
      CachedAttributes cached = attrDicts.get(s, start, p - start, h);
      if (cached != null && cached.op == op) {
        lx.pos = p;
        lx.skipTrivia();
        return cached.attributes;
      }
    }
    lx.expect('{');
    if (lx.eat('}')) {
      return Attributes.EMPTY;
    }
    Object[] kv = new Object[8];
    int n = 0;
    do {
      int keyAt = lx.pos;
      String key = parseAttrName();
      for (int i = 0; i < n; i += 2) {
        if (kv[i].equals(key)) {
          throw lx.error(keyAt, lx.pos - keyAt, "duplicate attribute '" + key + "'", "give each attribute once");
        }
      }
      lx.skipTrivia();
      lx.expect('=');
      AttrSpec spec = op.attrSpec(key);
      Attribute a = parseAttrValue(spec == null ? null : spec.kind());
      if (n + 2 > kv.length) {
        kv = Arrays.copyOf(kv, kv.length * 2);
      }
      kv[n++] = key;
      kv[n++] = a;
    } while (lx.eat(','));
    int closeAt = lx.pos;
    lx.expect('}', "',' or '}'");
    Attributes attrs = Attributes.of(n == kv.length ? kv : Arrays.copyOf(kv, n));
    if (cacheable && closeAt + 1 == p) {
      attrDicts.put(s, start, p - start, h, new CachedAttributes(op, attrs), start);
    }
    return attrs;
  }

  private String parseAttrName() {
    if (lx.peek() == '"') {
      lx.scanString();
      return lx.nameString();
    }
    int at = lx.pos;
    int e = lx.nameRunEnd(at);
    if (e == at) {
      throw lx.expected("an attribute name");
    }
    int h = SpanTable.hash(lx.src, at, e - at);
    String name = attrNames.get(lx.src, at, e - at, h);
    if (name == null) {
      name = new String(lx.src, at, e - at);
      attrNames.put(lx.src, at, e - at, h, name, at);
    }
    lx.pos = e;
    return name;
  }

  /** An attribute value; {@code kind} is the schema's kind for it, or null for an attribute the op does not know. */
  private Attribute parseAttrValue(AttrKind kind) {
    int c = lx.peek();
    if (c == '[') {
      return parseList(kind);
    }
    if (c == '"') {
      lx.scanString();
      String v = lx.nameString();
      lx.skipTrivia();
      return new Attribute.StringAttr(v);
    }
    if (c == '@' || lx.startsWith("dense<")) {
      PendingTensor pending = parseTensorRef();
      lx.expect(':');
      int typeAt = lx.pos;
      TensorType t = parseType("a type 'tensor<...>'");
      return new Attribute.TensorAttr(materialize(pending, t, typeAt, lastTypeEnd));
    }
    int k = lx.lexNumber();
    if (k == Lexer.INT) {
      long v = lx.parseLong(lx.numStart, lx.numEnd);
      lx.consumeNumber();
      return kind == AttrKind.FLOAT ? new Attribute.FloatAttr(v) : new Attribute.IntAttr(v);
    }
    if (k == Lexer.FLOAT) {
      double d = Numbers.parseDouble(lx.src, lx.numStart, lx.numEnd);
      lx.consumeNumber();
      return new Attribute.FloatAttr(d);
    }
    if (lx.eatWord("true")) {
      return new Attribute.BoolAttr(true);
    }
    if (lx.eatWord("false")) {
      return new Attribute.BoolAttr(false);
    }
    int at = lx.pos;
    int e = lx.nameRunEnd(at);
    ElementType et = elementType(at, e);
    if (et != null) {
      lx.pos = e;
      lx.skipTrivia();
      return new Attribute.TypeAttr(et);
    }
    throw lx.expected("an attribute value");
  }

  private Attribute parseList(AttrKind kind) {
    lx.expect('[');
    if (lx.eat(']')) {
      if (kind == AttrKind.FLOATS) {
        return new Attribute.FloatsAttr(new double[0]);
      }
      if (kind == AttrKind.STRINGS) {
        return new Attribute.StringsAttr(List.of());
      }
      return new Attribute.IntsAttr(new long[0]);
    }
    if (lx.peek() == '"') {
      var strings = new ArrayList<String>();
      do {
        if (lx.peek() != '"') {
          throw lx.expected("a string");
        }
        lx.scanString();
        strings.add(lx.nameString());
        lx.skipTrivia();
      } while (lx.eat(','));
      lx.expect(']', "',' or ']'");
      return new Attribute.StringsAttr(strings);
    }
    int n = 0;
    boolean anyFloat = false;
    do {
      int k = lx.lexNumber();
      if (k == Lexer.NONE) {
        throw lx.expected(n == 0 ? "a number, a string or ']'" : "a number");
      }
      if (n == longScratch.length) {
        longScratch = Arrays.copyOf(longScratch, n * 2);
        doubleScratch = Arrays.copyOf(doubleScratch, n * 2);
      }
      if (k == Lexer.INT) {
        long v = lx.parseLong(lx.numStart, lx.numEnd);
        longScratch[n] = v;
        doubleScratch[n] = v;
      } else {
        anyFloat = true;
        doubleScratch[n] = Numbers.parseDouble(lx.src, lx.numStart, lx.numEnd);
      }
      n++;
      lx.consumeNumber();
    } while (lx.eat(','));
    lx.expect(']', "',' or ']'");
    if (anyFloat || kind == AttrKind.FLOATS) {
      return new Attribute.FloatsAttr(Arrays.copyOf(doubleScratch, n));
    }
    return new Attribute.IntsAttr(Arrays.copyOf(longScratch, n));
  }

  // ---- tensor literals ----

  /** {@code dense<v>}, {@code dense<[v, ...]>} or {@code @blob}; the elements are converted once the type is known. */
  private PendingTensor parseTensorRef() {
    var t = new PendingTensor();
    int at = lx.pos;
    t.at = at;
    if (lx.peek() == '@') {
      lx.pos++;
      lx.scanName("a blob name", false);
      String name = lx.nameString();
      t.length = lx.pos - at;
      Tensor blob = blobs.get(name);
      if (blob == null) {
        throw lx.error(at, t.length, "constant @" + printedName(name) + " has no data: blob '" + name
            + "' not found", BLOB_HINT);
      }
      t.blob = blob;
      t.blobName = name;
      lx.skipTrivia();
      return t;
    }
    if (!lx.startsWith("dense<")) {
      throw lx.expected("a tensor 'dense<...>' or a blob '@name'");
    }
    lx.pos += 6;
    lx.skipTrivia();
    int n = 0;
    if (lx.eat('[')) {
      if (!lx.eat(']')) {
        do {
          n = element(n);
        } while (lx.eat(','));
        lx.expect(']', "',' or ']'");
      }
    } else {
      n = element(n);
      t.splat = true;
    }
    int closeAt = lx.pos;
    lx.expect('>', t.splat ? "'>'" : "'>' after the elements");
    t.length = closeAt + 1 - at;
    t.count = n;
    return t;
  }

  private int element(int n) {
    if (lx.lexNumber() == Lexer.NONE) {
      throw lx.expected("a number");
    }
    if (2 * n + 2 > elems.length) {
      elems = Arrays.copyOf(elems, elems.length * 2);
    }
    elems[2 * n] = lx.numStart;
    elems[2 * n + 1] = lx.numEnd;
    lx.consumeNumber();
    return n + 1;
  }

  /** The plain type a tensor file stores for {@code t}: no quantization, sub-byte codes in 8-bit containers. */
  private static TensorType storedAs(TensorType t) {
    ElementType et = switch (t.elementType()) {
      case I4, I2 -> ElementType.I8;
      case U4, U2 -> ElementType.U8;
      default -> t.elementType();
    };
    return new TensorType(et, t.shape(), null);
  }

  /** True if every code of an 8-bit container lies in the range of {@code t}'s element type. */
  private static boolean fitsCodes(Tensor blob, TensorType t) {
    ElementType et = t.elementType();
    if (et.storage() != ElementType.Storage.I8 || et.bits() == 8) {
      return true;
    }
    for (int i = 0; i < blob.size(); i++) {
      long v = blob.getLong(i);
      if (v < et.minValue() || v > et.maxValue()) {
        return false;
      }
    }
    return true;
  }

  /** The tensor of a literal under its declared type ({@code [typeAt, typeEnd)} is the type's text). */
  private Tensor materialize(PendingTensor p, TensorType type, int typeAt, int typeEnd) {
    if (p.blob != null) {
      if (p.blob.type().equals(type)) {
        return p.blob;
      }
      // A side file (.npz) keeps codes, not types: quantized and sub-byte blobs come back as plain i8/u8 arrays
      // and take the declared type here, once per blob so that every reference shares one tensor.
      Tensor typed = retypedBlobs.get(p.blobName);
      if (typed == null && storedAs(type).equals(p.blob.type()) && fitsCodes(p.blob, type)) {
        typed = p.blob.withType(type);
        retypedBlobs.put(p.blobName, typed);
      }
      if (typed == null || !typed.type().equals(type)) {
        throw lx.error(typeAt, typeEnd - typeAt, "constant @" + printedName(p.blobName) + " is declared " + type
            + ", but blob '" + p.blobName + "' holds " + p.blob.type(), null);
      }
      return typed;
    }
    if (!type.shape().isStatic()) {
      throw lx.error(typeAt, typeEnd - typeAt, "expected a static shape for a constant, found " + type, null);
    }
    long numel = 1;
    for (int i = 0; i < type.rank(); i++) {
      numel *= type.dim(i);
      if (numel > MAX_CONSTANT_ELEMENTS) {
        throw lx.error(typeAt, typeEnd - typeAt, "constant of type " + type + " has too many elements", null);
      }
    }
    int size = (int) numel;
    if (!p.splat && p.count != size) {
      throw lx.error(p.at, p.length, "expected " + plural(size, "element") + " for " + type + ", found "
          + p.count, size > 1 ? "a single value without brackets, dense<v>, fills the whole tensor" : null);
    }
    ElementType et = type.elementType();
    Object data;
    try {
      data = fill(p, et, size);
    } catch (OutOfMemoryError e) {
      throw lx.error(typeAt, typeEnd - typeAt, "constant of type " + type + " does not fit in memory", null);
    }
    return Tensor.wrap(type, data);
  }

  private Object fill(PendingTensor p, ElementType et, int size) {
    Object data;
    switch (et.storage()) {
      case F64 -> {
        double[] a = new double[size];
        if (p.splat) {
          Arrays.fill(a, Numbers.parseDouble(lx.src, elems[0], elems[1]));
        } else {
          for (int i = 0; i < size; i++) {
            a[i] = Numbers.parseDouble(lx.src, elems[2 * i], elems[2 * i + 1]);
          }
        }
        data = a;
      }
      case F32 -> {
        float[] a = new float[size];
        if (p.splat) {
          Arrays.fill(a, Numbers.parseFloat(lx.src, elems[0], elems[1]));
        } else {
          for (int i = 0; i < size; i++) {
            a[i] = Numbers.parseFloat(lx.src, elems[2 * i], elems[2 * i + 1]);
          }
        }
        data = a;
      }
      case F16 -> {
        short[] a = new short[size];
        if (p.splat) {
          Arrays.fill(a, Half.fromFloat(Numbers.parseFloat(lx.src, elems[0], elems[1])));
        } else {
          for (int i = 0; i < size; i++) {
            a[i] = Half.fromFloat(Numbers.parseFloat(lx.src, elems[2 * i], elems[2 * i + 1]));
          }
        }
        data = a;
      }
      case I64 -> {
        long[] a = new long[size];
        if (p.splat) {
          Arrays.fill(a, integerElement(0, et));
        } else {
          for (int i = 0; i < size; i++) {
            a[i] = integerElement(i, et);
          }
        }
        data = a;
      }
      case I32 -> {
        int[] a = new int[size];
        if (p.splat) {
          Arrays.fill(a, (int) integerElement(0, et));
        } else {
          for (int i = 0; i < size; i++) {
            a[i] = (int) integerElement(i, et);
          }
        }
        data = a;
      }
      case I16 -> {
        short[] a = new short[size];
        if (p.splat) {
          Arrays.fill(a, (short) integerElement(0, et));
        } else {
          for (int i = 0; i < size; i++) {
            a[i] = (short) integerElement(i, et);
          }
        }
        data = a;
      }
      default -> {
        byte[] a = new byte[size];
        if (p.splat) {
          Arrays.fill(a, (byte) integerElement(0, et));
        } else {
          for (int i = 0; i < size; i++) {
            a[i] = (byte) integerElement(i, et);
          }
        }
        data = a;
      }
    }
    return data;
  }

  /** Element {@code i} of the current literal as an integer of type {@code et}, range checked. */
  private long integerElement(int i, ElementType et) {
    int s = elems[2 * i];
    int e = elems[2 * i + 1];
    char[] src = lx.src;
    for (int k = s; k < e; k++) {
      char c = src[k];
      if (!(Lexer.isDigit(c) || (k == s && c == '-'))) {
        throw lx.error(s, e - s, "expected an integer for element type " + et + ", found '"
            + new String(src, s, e - s) + "'", null);
      }
    }
    long v = lx.parseLong(s, e);
    if (v < et.minValue() || v > et.maxValue()) {
      throw lx.error(s, e - s, "value " + v + " does not fit element type " + et + " (" + et.minValue() + ".."
          + et.maxValue() + ")", null);
    }
    return v;
  }

  // ---- types ----

  /** End offset (before trailing trivia) of the type read last. */
  private int lastTypeEnd;

  /**
   * A type at {@link Lexer#pos}. A type on one line is first looked up by its text, so each distinct
   * spelling is parsed once per file.
   */
  private TensorType parseType(String what) {
    int start = lx.pos;
    if (!lx.startsWith(TYPE_START)) {
      throw lx.expected(what);
    }
    char[] s = lx.src;
    int h = 0;
    int depth = 0;
    int p = start;
    int found = -1;
    while (p < lx.end) {
      char c = s[p];
      if (c == '\n') {
        break;
      }
      h = 31 * h + c;
      p++;
      if (c == '<') {
        depth++;
      } else if (c == '>' && --depth == 0) {
        found = p;
        break;
      }
    }
    if (found > 0) {
      TensorType t = types.get(s, start, found - start, h);
      if (t != null) {
        lx.pos = found;
        lastTypeEnd = found;
        lx.skipTrivia();
        return t;
      }
    }
    TensorType t = parseTypeText(start);
    if (found > 0 && lastTypeEnd == found) {
      types.put(s, start, found - start, h, t, start);
    }
    return t;
  }

  /** Parses {@code tensor<dims x element>} from its text; sets {@link #lastTypeEnd} and skips trailing trivia. */
  private TensorType parseTypeText(int start) {
    char[] s = lx.src;
    int end = lx.end;
    int p = start + TYPE_START.length();
    int rank = 0;
    while (p < end) {
      char c = s[p];
      int dim;
      int dimAt = p;
      if (Lexer.isDigit(c)) {
        long d = 0;
        while (p < end && Lexer.isDigit(s[p])) {
          d = d * 10 + (s[p] - '0');
          if (d > Integer.MAX_VALUE) {
            int e = p;
            while (e < end && Lexer.isDigit(s[e])) {
              e++;
            }
            throw lx.error(dimAt, e - dimAt, "dimension " + new String(s, dimAt, e - dimAt) + " is too large",
                "dimensions must fit in 32 bits");
          }
          p++;
        }
        dim = (int) d;
      } else if (c == '?') {
        dim = Shape.DYNAMIC;
        p++;
      } else {
        break;
      }
      if (p >= end || s[p] != 'x') {
        throw lx.expectedAt(p, "'x' after a dimension", null);
      }
      p++;
      if (rank == dimScratch.length) {
        dimScratch = Arrays.copyOf(dimScratch, rank * 2);
      }
      dimScratch[rank++] = dim;
    }
    Shape shape = Shape.of(Arrays.copyOf(dimScratch, rank));
    TensorType type;
    if (p < end && s[p] == '!') {
      int quantAt = p;
      if (!(p + 3 <= end && s[p + 1] == 'q' && s[p + 2] == '.')) {
        throw lx.expectedAt(p, "a quantized element type '!q.<type><...>'", null);
      }
      p += 3;
      int e = elementTypeEnd(p);
      ElementType et = elementTypeAt(p, e);
      lx.pos = e;
      if (lx.peek() != '<') {
        throw lx.expected("'<' and quantization parameters");
      }
      lx.pos++;
      lx.skipTrivia();
      QuantParams q = parseQuantParams(quantAt);
      try {
        type = new TensorType(et, shape, q);
      } catch (IllegalArgumentException ex) {
        throw lx.error(start, lx.pos - start, "invalid type: " + ex.getMessage(), null);
      }
    } else {
      int e = elementTypeEnd(p);
      ElementType et = elementTypeAt(p, e);
      lx.pos = e;
      type = new TensorType(et, shape, null);
    }
    lx.skipTrivia();
    if (lx.peek() != '>') {
      throw lx.expected("'>' to close the type");
    }
    lx.pos++;
    lastTypeEnd = lx.pos;
    lx.skipTrivia();
    return type;
  }

  private int elementTypeEnd(int p) {
    while (p < lx.end && ((lx.src[p] >= 'a' && lx.src[p] <= 'z') || Lexer.isDigit(lx.src[p]))) {
      p++;
    }
    return p;
  }

  private ElementType elementTypeAt(int p, int e) {
    if (e == p) {
      throw lx.expectedAt(p, "an element type", null);
    }
    ElementType et = elementType(p, e);
    if (et == null) {
      int end = lx.nameRunEnd(p);
      throw lx.error(p, end - p, "unknown element type '" + new String(lx.src, p, end - p) + "'",
          "the element types are " + elementTypeList());
    }
    return et;
  }

  /** The element type spelled {@code src[p, e)}, or null. */
  private ElementType elementType(int p, int e) {
    if (e < lx.end && Lexer.isNameChar(lx.src[e]) && lx.src[e] != '.' && lx.src[e] != '-') {
      return null;
    }
    for (ElementType t : ELEMENT_TYPES) {
      String text = t.text();
      if (text.length() == e - p) {
        boolean same = true;
        for (int i = 0; i < text.length(); i++) {
          if (lx.src[p + i] != text.charAt(i)) {
            same = false;
            break;
          }
        }
        if (same) {
          return t;
        }
      }
    }
    return null;
  }

  private static String elementTypeList() {
    var sb = new StringBuilder();
    for (ElementType t : ELEMENT_TYPES) {
      if (sb.length() > 0) {
        sb.append(", ");
      }
      sb.append(t.text());
    }
    return sb.toString();
  }

  /** {@code scale=s, zp=z>} or {@code axis=a, scales=[...], zps=[...]>}, up to and including the '>'. */
  private QuantParams parseQuantParams(int quantAt) {
    QuantParams q;
    try {
      if (lx.eatWord("scale")) {
        lx.expect('=');
        double scale = lx.expectDouble("a scale");
        lx.expect(',');
        lx.expectWord("zp");
        lx.expect('=');
        long zp = expectLong("a zero point");
        q = QuantParams.perTensor(scale, zp);
      } else if (lx.eatWord("axis")) {
        lx.expect('=');
        int axis = lx.expectInt("an axis", 0, Integer.MAX_VALUE);
        lx.expect(',');
        lx.expectWord("scales");
        lx.expect('=');
        lx.expect('[');
        var scales = new ArrayList<Double>();
        if (!lx.eat(']')) {
          do {
            scales.add(lx.expectDouble("a scale"));
          } while (lx.eat(','));
          lx.expect(']', "',' or ']'");
        }
        lx.expect(',');
        lx.expectWord("zps");
        lx.expect('=');
        lx.expect('[');
        var zps = new ArrayList<Long>();
        if (!lx.eat(']')) {
          do {
            zps.add(expectLong("a zero point"));
          } while (lx.eat(','));
          lx.expect(']', "',' or ']'");
        }
        double[] s = new double[scales.size()];
        for (int i = 0; i < s.length; i++) {
          s[i] = scales.get(i);
        }
        long[] z = new long[zps.size()];
        for (int i = 0; i < z.length; i++) {
          z[i] = zps.get(i);
        }
        q = QuantParams.perAxis(axis, s, z);
      } else {
        throw lx.expected("'scale' or 'axis'");
      }
    } catch (IllegalArgumentException ex) {
      throw lx.error(quantAt, lx.pos - quantAt, "invalid quantization parameters: " + ex.getMessage(), null);
    }
    lx.expect('>');
    return q;
  }

  private long expectLong(String what) {
    if (lx.lexNumber() != Lexer.INT) {
      throw lx.expected(what);
    }
    long v = lx.parseLong(lx.numStart, lx.numEnd);
    lx.consumeNumber();
    return v;
  }

  private static String plural(int n, String word) {
    return n + " " + word + (n == 1 ? "" : "s");
  }
}
