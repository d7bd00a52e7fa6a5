package dev.cimc.ir.text;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.diag.Location;
import dev.cimc.ir.dialect.Dialects;
import dev.cimc.ir.dialect.q.QDialect;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.GraphBuilder;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.op.OpRegistry;
import dev.cimc.ir.tensor.Half;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.QuantParams;
import dev.cimc.ir.type.Shape;
import dev.cimc.ir.type.TensorType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * Builds random valid graphs over every op of {@link Dialects#standard()} from a sequence of choices (a jqwik
 * list of ints, so shrinking the list shrinks the graph; past its end every choice is 0, the simplest).
 * Shapes and attributes are drawn so inference usually accepts them; a choice it rejects is skipped.
 */
final class RandomGraphs {
  static final OpRegistry REGISTRY = Dialects.standard();

  /** Graph ops that take one operand and need no attribute: applied to random float values. */
  static final String[] SIMPLE_UNARY = REGISTRY.ops().values().stream()
      .filter(op -> op.dialect().equals("graph") && op.minOperands() == 1 && op.numResults() == 1
          && op.attributeSchema().values().stream().noneMatch(a -> a.required())
          && acceptsPlainTensor(op))
      .map(op -> op.fullName())
      .toArray(String[]::new);

  private static boolean acceptsPlainTensor(dev.cimc.ir.op.OpDef op) {
    try {
      op.inferTypes(java.util.List.of(dev.cimc.ir.type.TensorType.f32(1, 3, 4, 4)), Attributes.EMPTY, null);
      return true;
    } catch (RuntimeException e) {
      return false; // e.g. resize needs scales or sizes
    }
  }

  /** Every op the generator can produce. */
  static java.util.SortedSet<String> generatedOps() {
    var s = new TreeSet<String>(java.util.List.of("const", "graph.add", "graph.sub", "graph.mul", "graph.div",
        "graph.relu", "graph.identity", "graph.reshape", "graph.transpose", "graph.matmul", "graph.conv2d",
        "q.quantize", "q.dequantize"));
    s.addAll(java.util.List.of(SIMPLE_UNARY));
    return s;
  }

  /** Names that print bare, need quotes, collide, or are numbers like the printer's fresh names. */
  static final String[] NAMES = {
    "x", "y", "w", "0", "1", "7", "a.b", "a-b", "$t", "_", "conv1.weight", "with space", "a:b", "quote\"d",
    "back\\slash", "tab\there", "new\nline", "ctrl\u0001", "del\u007f", "ünï", "日本", "%pct", "@at", "{}", "x",
  };
  static final String[] GRAPH_NAMES = {"main", "g", "my graph", "", "q\"uote", "0", "net.v2"};
  static final String[] FILES = {"model.onnx", "a b.cir", "<stdin>", "dir/x\"y.onnx"};

  private static final ElementType[] FLOATS = {ElementType.F32, ElementType.F32, ElementType.F32, ElementType.F16,
      ElementType.F64};
  private static final ElementType[] QUANT = {ElementType.I8, ElementType.U8, ElementType.I4, ElementType.U4,
      ElementType.I2, ElementType.U2, ElementType.I16, ElementType.I32};
  private static final ElementType[] ALL = ElementType.values();
  private static final float[] SPECIAL_FLOATS = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f,
      0f, Float.MIN_VALUE, Float.MAX_VALUE, -Float.MAX_VALUE, 1e-40f, 0.1f, 123456789f, 16777217f, 1f / 3};
  private static final double[] SPECIAL_DOUBLES = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
      -0.0, Double.MIN_VALUE, Double.MAX_VALUE, 0.1, 1e-310, 1.0 / 3, 2e22, 9007199254740993.0};
  private static final double[] SCALES = {1.0, 0.5, 0.1, 0.02, 1e-3, 3.0517578125E-5, 1.0 / 3, 255.0, 7e-9};

  /** A generated graph and how to print it. */
  record Case(Graph graph, PrintOptions options, List<String> ops) {}

  /** A source of choices: the script first, then zeros. */
  static final class Choices {
    private final List<Integer> script;
    private final SplittableRandom random;
    private int next;

    Choices(List<Integer> script) {
      this.script = script;
      this.random = null;
    }

    Choices(long seed) {
      this.script = List.of();
      this.random = new SplittableRandom(seed);
    }

    /** A choice in {@code [0, n)}. */
    int below(int n) {
      if (random != null) {
        return random.nextInt(n);
      }
      if (next >= script.size()) {
        return 0;
      }
      return Math.floorMod(script.get(next++), n);
    }

    boolean percent(int p) {
      return below(100) < p;
    }

    <T> T pick(T[] options) {
      return options[below(options.length)];
    }

    double unit() {
      return below(1 << 20) / (double) (1 << 20);
    }
  }

  private final Choices c;
  private final GraphBuilder b;
  private final List<Value> values = new ArrayList<>();
  private final List<Tensor> blobs = new ArrayList<>();
  private final TreeSet<String> usedOps = new TreeSet<>();
  private final boolean locations;

  private RandomGraphs(Choices c) {
    this.c = c;
    this.b = new GraphBuilder(c.pick(GRAPH_NAMES), REGISTRY);
    this.locations = c.percent(25);
  }

  static Case generate(Choices c) {
    return new RandomGraphs(c).build();
  }

  private Case build() {
    int inputs = c.below(4);
    for (int i = 0; i < inputs; i++) {
      values.add(b.input(name(), randomType(c.pick(FLOATS), true)));
    }
    int steps = 1 + c.below(24);
    for (int i = 0; i < steps; i++) {
      if (locations) {
        b.at(randomLocation());
      }
      try {
        step(c.below(18));
      } catch (CimcException rejected) {
        // inference refused this random combination: leave it out
      }
    }
    if (values.isEmpty()) {
      values.add(constant(c.pick(FLOATS)));
    }
    // The verifier requires at least one output.
    int outs = 1 + c.below(3);
    for (int i = 0; i < outs; i++) {
      b.output(values.get(c.below(values.size())));
    }
    int[] limits = {16, 16, 0, 4, 100};
    var options = new PrintOptions(limits[c.below(limits.length)], false, locations);
    return new Case(b.build(), options, new ArrayList<>(usedOps));
  }

  private Location randomLocation() {
    return switch (c.below(3)) {
      case 0 -> new Location.FileLineCol(c.pick(FILES), c.below(10_000), c.below(200));
      case 1 -> new Location.Named(c.pick(FILES), c.pick(NAMES));
      default -> new Location.Named(null, c.pick(NAMES));
    };
  }

  private String name() {
    return c.percent(40) ? null : c.pick(NAMES);
  }

  private void step(int kind) {
    switch (kind) {
      case 0, 1 -> values.add(constant(c.percent(70) ? c.pick(FLOATS) : c.pick(ALL)));
      case 2 -> binary("graph.add");
      case 3 -> binary("graph.sub");
      case 4 -> binary("graph.mul");
      case 5 -> binary("graph.div");
      case 6 -> unary("graph.relu", floatValue(), Attributes.EMPTY);
      case 7 -> unary("graph.identity", anyValue(), Attributes.EMPTY);
      case 8 -> reshape();
      case 9 -> transpose();
      case 10 -> matmul();
      case 11, 12 -> conv2d();
      case 13 -> quantize();
      case 14 -> dequantize();
      case 15, 16 -> unary(c.pick(SIMPLE_UNARY), floatValue(), Attributes.EMPTY);
      default -> values.add(b.input(name(), randomType(c.pick(FLOATS), true)));
    }
  }

  // ---- values ----

  private Value anyValue() {
    if (values.isEmpty() || c.percent(10)) {
      Value v = b.input(name(), randomType(c.pick(FLOATS), true));
      values.add(v);
      return v;
    }
    return values.get(c.below(values.size()));
  }

  private Value floatValue() {
    for (int tries = 0; tries < 4 && !values.isEmpty(); tries++) {
      Value v = values.get(c.below(values.size()));
      if (v.type().elementType().isFloat()) {
        return v;
      }
    }
    Value v = b.input(name(), randomType(c.pick(FLOATS), true));
    values.add(v);
    return v;
  }

  private void record(String op) {
    usedOps.add(op);
  }

  private void unary(String op, Value x, Attributes attrs) {
    Value r = b.named(name(), op, attrs, x);
    values.add(r);
    record(op);
  }

  private void binary(String op) {
    Value a = floatValue();
    Value other;
    switch (c.below(4)) {
      case 0 -> other = a;
      case 1 -> {
        // a broadcastable constant: a suffix of a's shape, some dimensions 1
        Shape s = a.type().shape();
        int keep = c.below(s.rank() + 1);
        int[] dims = new int[keep];
        for (int i = 0; i < keep; i++) {
          int d = s.dim(s.rank() - keep + i);
          dims[i] = d == Shape.DYNAMIC || c.percent(30) ? 1 : d;
        }
        other = constantOf(TensorType.of(a.type().elementType(), dims));
        values.add(other);
      }
      case 2 -> {
        other = b.input(name(), a.type());
        values.add(other);
      }
      default -> other = floatValue();
    }
    Value r = c.percent(50) ? b.named(name(), op, Attributes.EMPTY, a, other)
        : b.named(name(), op, Attributes.EMPTY, other, a);
    values.add(r);
    record(op);
  }

  private void reshape() {
    Value x = anyValue();
    TensorType t = x.type();
    if (!t.shape().isStatic()) {
      x = floatValue();
      t = x.type();
    }
    long n = t.shape().isStatic() ? t.numel() : 6;
    List<Long> dims = new ArrayList<>();
    long rest = n;
    int rank = c.below(4);
    for (int i = 0; i < rank && rest > 1; i++) {
      long f = smallFactor(rest);
      dims.add(f);
      rest /= f;
    }
    dims.add(rest);
    long[] spec = new long[dims.size()];
    for (int i = 0; i < spec.length; i++) {
      spec[i] = dims.get(i);
    }
    if (c.percent(30)) {
      spec[c.below(spec.length)] = -1;
    }
    if (c.percent(20) && spec[0] == (t.rank() > 0 ? t.dim(0) : -2)) {
      spec[0] = 0;
    }
    Attributes attrs = Attributes.of("shape", Attribute.ints(spec));
    if (c.percent(20)) {
      attrs = attrs.with("allowzero", Attribute.of(0L));
    }
    unary("graph.reshape", x, attrs);
  }

  private long smallFactor(long n) {
    for (long f : new long[] {2, 3, 5, 7}) {
      if (n % f == 0 && c.percent(60)) {
        return f;
      }
    }
    return 1;
  }

  private void transpose() {
    Value x = anyValue();
    int r = x.type().rank();
    Attributes attrs = Attributes.EMPTY;
    if (c.percent(60)) {
      long[] perm = new long[r];
      for (int i = 0; i < r; i++) {
        perm[i] = i;
      }
      for (int i = r - 1; i > 0; i--) {
        int j = c.below(i + 1);
        long tmp = perm[i];
        perm[i] = perm[j];
        perm[j] = tmp;
      }
      attrs = Attributes.of("perm", Attribute.ints(perm));
    }
    unary("graph.transpose", x, attrs);
  }

  private void matmul() {
    Value a = floatValue();
    ElementType et = a.type().elementType();
    if (a.type().rank() == 0) {
      a = b.input(name(), TensorType.of(et, 1 + c.below(3), 1 + c.below(4)));
      values.add(a);
    }
    int k = a.type().dim(a.type().rank() - 1);
    if (k == Shape.DYNAMIC) {
      k = 3;
    }
    Value w;
    if (c.percent(25)) {
      w = b.input(name(), TensorType.of(et, k));
    } else if (c.percent(50)) {
      w = constantOf(TensorType.of(et, k, 1 + c.below(5)));
    } else {
      w = b.input(name(), TensorType.of(et, c.percent(50) ? Shape.DYNAMIC : k, 1 + c.below(5)));
    }
    values.add(w);
    Value r = b.named(name(), "graph.matmul", Attributes.EMPTY, a, w);
    values.add(r);
    record("graph.matmul");
  }

  private void conv2d() {
    Value x = null;
    for (Value v : values) {
      if (v.type().rank() == 4 && v.type().elementType().isFloat() && v.type().dim(1) > 0 && c.percent(50)) {
        x = v;
      }
    }
    if (x == null) {
      int n = c.percent(20) ? Shape.DYNAMIC : 1 + c.below(2);
      int h = c.percent(10) ? Shape.DYNAMIC : 3 + c.below(5);
      x = b.input(name(), TensorType.of(c.pick(FLOATS), n, 1 + c.below(4), h, 3 + c.below(5)));
      values.add(x);
    }
    ElementType et = x.type().elementType();
    int ch = x.type().dim(1);
    int group = 1;
    for (int g = ch; g > 1; g--) {
      if (ch % g == 0 && c.percent(15)) {
        group = g;
        break;
      }
    }
    int oc = group * (1 + c.below(3));
    Value w = constantOf(TensorType.of(et, oc, ch / group, 1 + c.below(3), 1 + c.below(3)));
    values.add(w);
    Attributes attrs = Attributes.EMPTY;
    if (c.percent(50)) {
      attrs = attrs.with("strides", Attribute.ints(1 + c.below(2), 1 + c.below(2)));
    }
    if (c.percent(50)) {
      attrs = attrs.with("pads", Attribute.ints(c.below(2), c.below(2), c.below(2), c.below(2)));
    }
    if (c.percent(40)) {
      attrs = attrs.with("dilations", Attribute.ints(1 + c.below(2), 1 + c.below(2)));
    }
    if (group > 1 || c.percent(20)) {
      attrs = attrs.with("group", Attribute.of((long) group));
    }
    Value r;
    if (c.percent(50)) {
      Value bias = constantOf(TensorType.of(et, oc));
      values.add(bias);
      r = b.named(name(), "graph.conv2d", attrs, x, w, bias);
    } else {
      r = b.named(name(), "graph.conv2d", attrs, x, w);
    }
    values.add(r);
    record("graph.conv2d");
  }

  private void quantize() {
    Value x = floatValue();
    TensorType q = quantizedType(c.pick(QUANT), x.type().shape());
    String n = name();
    Value r = b.node(QDialect.QUANTIZE, List.of(x), Attributes.EMPTY, List.of(q),
        n == null ? null : Arrays.asList(n)).result();
    values.add(r);
    record("q.quantize");
  }

  private void dequantize() {
    Value q = null;
    for (Value v : values) {
      if (v.type().isQuantized() && c.percent(60)) {
        q = v;
      }
    }
    if (q == null) {
      q = c.percent(50) ? b.input(name(), quantizedType(c.pick(QUANT), randomShape(true)))
          : constantOf(quantizedType(c.pick(QUANT), randomShape(false)));
      values.add(q);
    }
    unary("q.dequantize", q, Attributes.EMPTY);
  }

  // ---- types and constants ----

  private Shape randomShape(boolean allowDynamic) {
    int rank = c.below(5);
    int[] dims = new int[rank];
    for (int i = 0; i < rank; i++) {
      dims[i] = allowDynamic && c.percent(8) ? Shape.DYNAMIC : c.percent(4) ? 0 : 1 + c.below(4);
    }
    return Shape.of(dims);
  }

  private TensorType randomType(ElementType et, boolean allowDynamic) {
    return new TensorType(et, randomShape(allowDynamic), null);
  }

  private TensorType quantizedType(ElementType et, Shape shape) {
    List<Integer> axes = new ArrayList<>();
    for (int i = 0; i < shape.rank(); i++) {
      if (shape.dim(i) > 0) {
        axes.add(i);
      }
    }
    if (axes.isEmpty() || c.percent(50)) {
      return new TensorType(et, shape, QuantParams.perTensor(scale(), zeroPoint(et)));
    }
    int axis = axes.get(c.below(axes.size()));
    int n = shape.dim(axis);
    double[] scales = new double[n];
    long[] zps = new long[n];
    for (int i = 0; i < n; i++) {
      scales[i] = scale();
      zps[i] = zeroPoint(et);
    }
    return new TensorType(et, shape, QuantParams.perAxis(axis, scales, zps));
  }

  private double scale() {
    return c.percent(70) ? SCALES[c.below(SCALES.length)] : 1e-4 + c.unit() * 10;
  }

  private long zeroPoint(ElementType et) {
    long lo = Math.max(et.minValue(), -1000);
    long hi = Math.min(et.maxValue(), 1000);
    return lo + c.below((int) (hi - lo + 1));
  }

  /** A new constant of a random type: inline, splat, large blob or a shared blob. */
  private Value constant(ElementType et) {
    if (!blobs.isEmpty() && c.percent(15)) {
      Tensor shared = blobs.get(c.below(blobs.size()));
      return b.constant(name(), shared);
    }
    Shape shape;
    if (c.percent(25)) {
      int n = 17 + c.below(120);
      shape = c.percent(50) ? Shape.of(n) : Shape.of(n, 1 + c.below(3));
    } else {
      shape = randomShape(false);
    }
    TensorType t = et.isInteger() && c.percent(30) ? quantizedType(et, shape) : new TensorType(et, shape, null);
    return constantOf(t);
  }

  /** A constant of type {@code t} with random content: usually mixed values, sometimes a splat. */
  private Value constantOf(TensorType t) {
    Tensor tensor = randomTensor(t, c.percent(20));
    if (tensor.size() > 16 && !tensor.isSplat()) {
      blobs.add(tensor);
    }
    Value v = b.constant(name(), tensor);
    record("const");
    return v;
  }

  private Tensor randomTensor(TensorType t, boolean splat) {
    int n = (int) t.numel();
    ElementType et = t.elementType();
    switch (et.storage()) {
      case F32 -> {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
          a[i] = splat && i > 0 ? a[0] : randomFloat();
        }
        return Tensor.wrap(t, a);
      }
      case F16 -> {
        short[] a = new short[n];
        for (int i = 0; i < n; i++) {
          a[i] = splat && i > 0 ? a[0] : Half.fromFloat(randomFloat());
        }
        return Tensor.wrap(t, a);
      }
      case F64 -> {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
          a[i] = splat && i > 0 ? a[0]
              : c.percent(20) ? SPECIAL_DOUBLES[c.below(SPECIAL_DOUBLES.length)] : (c.unit() - 0.5) * Math.pow(10,
                  c.below(40) - 20);
        }
        return Tensor.wrap(t, a);
      }
      default -> {
        long[] a = new long[n];
        for (int i = 0; i < n; i++) {
          a[i] = splat && i > 0 ? a[0] : randomInteger(et);
        }
        return Tensor.fromLongs(t, a);
      }
    }
  }

  private float randomFloat() {
    if (c.percent(20)) {
      return SPECIAL_FLOATS[c.below(SPECIAL_FLOATS.length)];
    }
    if (c.percent(30)) {
      return c.below(200) - 100;
    }
    return (float) ((c.unit() - 0.5) * Math.pow(10, c.below(12) - 6));
  }

  private long randomInteger(ElementType et) {
    return switch (c.below(4)) {
      case 0 -> et.minValue();
      case 1 -> et.maxValue();
      default -> {
        long lo = Math.max(et.minValue(), -100_000);
        long hi = Math.min(et.maxValue(), 100_000);
        yield lo + c.below((int) (hi - lo + 1));
      }
    };
  }
}
