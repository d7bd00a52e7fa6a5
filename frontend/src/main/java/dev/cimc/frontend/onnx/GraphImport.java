package dev.cimc.frontend.onnx;

import dev.cimc.frontend.onnx.proto.Onnx;
import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.diag.Location;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.GraphBuilder;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.op.InferenceException;
import dev.cimc.ir.op.KernelContext;
import dev.cimc.ir.op.OpDef;
import dev.cimc.ir.op.OpRegistry;
import dev.cimc.ir.op.Trait;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.TensorType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The state of one import: the graph being built, what each ONNX value name is bound to, and which IR
 * values are known constants.
 *
 * <p>Constant folding happens as nodes are built: a pure node whose operands are all known constants and
 * whose results are small ({@link #FOLD_LIMIT} elements) is evaluated with its reference kernel at once and
 * replaced by constants. This folds the shape arithmetic exporters emit (Shape → Gather → Concat → Reshape)
 * while the graph is built, so that inputs ONNX passes as tensors and cimc needs as attributes (shapes,
 * axes, pads, scales) are known when the node reading them is converted. Larger constant computations are
 * left to the {@code fold-constants} pass.
 *
 * <p>Initializers become {@code const} nodes lazily, when a node first reads them as a value; one read
 * only as an attribute, or not at all, leaves no node behind.
 */
final class GraphImport {
  /** Most elements a result may have to be folded during import. */
  static final long FOLD_LIMIT = 1 << 16;

  private final Graph graph;
  private final OpRegistry registry;
  private final OpDef constOp;
  private final String file;
  private final Consumer<String> warnings;
  private final ExternalData external;
  private final Map<String, Binding> bindings = new HashMap<>();
  private final IdentityHashMap<Value, Tensor> constants = new IdentityHashMap<>();
  private Location location = Location.UNKNOWN;

  /** What an ONNX name stands for: an IR value, a constant tensor, or an initializer not decoded yet. */
  private static final class Binding {
    Value value;
    Tensor constant;
    Onnx.TensorProto initializer;
  }

  GraphImport(Graph graph, OpRegistry registry, String file, Consumer<String> warnings, ExternalData external) {
    this.graph = graph;
    this.registry = registry;
    this.constOp = registry.get("const");
    this.file = file;
    this.warnings = warnings;
    this.external = external;
  }

  Graph graph() {
    return graph;
  }

  OpRegistry registry() {
    return registry;
  }

  String file() {
    return file;
  }

  void warn(String message) {
    warnings.accept(message);
  }

  /** Sets the location given to the nodes built next and to errors about them. */
  void at(Location loc) {
    this.location = loc;
  }

  Location location() {
    return location;
  }

  // ---- bindings ----

  boolean isBound(String name) {
    return bindings.containsKey(name);
  }

  void bindValue(String name, Value v) {
    Binding b = new Binding();
    b.value = v;
    b.constant = constants.get(v);
    bindings.put(name, b);
  }

  void bindInitializer(String name, Onnx.TensorProto tp) {
    Binding b = new Binding();
    b.initializer = tp;
    bindings.put(name, b);
  }

  private Binding binding(String name) {
    Binding b = bindings.get(name);
    if (b == null) {
      throw new IllegalStateException("ONNX value '" + name + "' read before it is bound (the graph is sorted)");
    }
    return b;
  }

  /** The IR value of an ONNX name, creating the constant of an initializer on first use. */
  Value valueOf(String name) {
    Binding b = binding(name);
    if (b.value == null) {
      Location saved = location;
      location = Location.UNKNOWN;
      b.value = constant(constantOf(name), name);
      location = saved;
    }
    return b.value;
  }

  /** The constant tensor of an ONNX name, or null if it is not a known constant. */
  Tensor constantOf(String name) {
    Binding b = binding(name);
    if (b.constant == null && b.initializer != null) {
      b.constant = TensorProtoDecoder.decode(b.initializer, external, Location.file(file), "initializer '" + name + "'");
      b.initializer = null;
    }
    return b.constant;
  }

  /** Decodes a tensor held by a node attribute; errors point at the current node. */
  Tensor decode(Onnx.TensorProto tp, String what) {
    return TensorProtoDecoder.decode(tp, external, location, what);
  }

  /** The type of an ONNX name, without creating a node for it. */
  TensorType typeOf(String name) {
    Binding b = binding(name);
    return b.value != null ? b.value.type() : constantOf(name).type();
  }

  // ---- node inputs ----

  /** The IR value of input {@code i} of {@code n} (which must be given). */
  Value in(OnnxNode n, int i) {
    requireInput(n, i);
    return valueOf(n.input(i));
  }

  /** The IR value of input {@code i}, or null when the optional input is omitted. */
  Value optionalIn(OnnxNode n, int i) {
    return n.hasInput(i) ? valueOf(n.input(i)) : null;
  }

  TensorType typeOf(OnnxNode n, int i) {
    requireInput(n, i);
    return typeOf(n.input(i));
  }

  /** The constant value of input {@code i}, or null if it is not constant at import time. */
  Tensor constantIn(OnnxNode n, int i) {
    requireInput(n, i);
    return constantOf(n.input(i));
  }

  /** The constant value of input {@code i}, which cimc needs as an attribute ({@code role} names it). */
  Tensor requireConstant(OnnxNode n, int i, String role) {
    Tensor t = constantIn(n, i);
    if (t == null) {
      throw new NonConstantInputException(n.location(), n.input(i), "input " + i + " ('" + n.input(i) + "', the " + role + ") of "
          + n.describe() + " is not a constant", "cimc needs the " + role + " at import time: make it an initializer "
          + "or a Constant node, or compute it only from static shapes (bind dynamic input dimensions with "
          + "--input-shape)");
    }
    return t;
  }

  /** A constant integer input as longs. */
  long[] requireLongs(OnnxNode n, int i, String role) {
    Tensor t = requireConstant(n, i, role);
    if (!t.elementType().isInteger()) {
      throw new CimcException(n.location(), "the " + role + " of " + n.describe() + " must be an integer tensor, got "
          + t.type(), null);
    }
    return t.toLongArray();
  }

  /** A constant float or integer input as doubles. */
  double[] requireDoubles(OnnxNode n, int i, String role) {
    Tensor t = requireConstant(n, i, role);
    double[] d = new double[t.size()];
    for (int k = 0; k < d.length; k++) {
      d[k] = t.getDouble(k);
    }
    return d;
  }

  /** Checks that {@code n} has between {@code min} and {@code max} inputs (trailing omitted ones included). */
  static void arity(OnnxNode n, int min, int max) {
    int k = n.numInputs();
    if (k < min || k > max) {
      String want = min == max ? Integer.toString(min) : max == Integer.MAX_VALUE ? "at least " + min : min + " to " + max;
      throw new CimcException(n.location(), n.describe() + " has " + k + " input" + (k == 1 ? "" : "s") + ", but "
          + n.opType() + " in opset " + n.opset() + " takes " + want, null);
    }
  }

  private static void requireInput(OnnxNode n, int i) {
    if (!n.hasInput(i)) {
      throw new CimcException(n.location(), n.describe() + " is missing its input " + i, null);
    }
  }

  // ---- building ----

  /** A constant node holding {@code t}; its value is named after {@code hint} when that name is free. */
  Value constant(Tensor t, String hint) {
    Node node = graph.append(constOp, List.of(), Attributes.of("value", new Attribute.TensorAttr(t)), List.of(t.type()),
        Arrays.asList(hint), location);
    Value v = node.result();
    constants.put(v, t);
    return v;
  }

  /** The known constant value of an IR value, or null. */
  Tensor constantOf(Value v) {
    return constants.get(v);
  }

  /** Builds a single-result op without attributes and with a fresh result name. */
  Value op(String opName, Value... operands) {
    return op(opName, Attributes.EMPTY, null, operands);
  }

  /** Builds a single-result op, folding it when its operands are constant. */
  Value op(String opName, Attributes attrs, String hint, Value... operands) {
    return ops(opName, attrs, Arrays.asList(hint), operands).get(0);
  }

  /** Builds an op with {@code hints.size()} results (null hints get fresh names), folding it when possible. */
  List<Value> ops(String opName, Attributes attrs, List<String> hints, Value... operands) {
    OpDef op = registry.lookup(opName).orElseThrow(() -> new IllegalStateException("no op " + opName));
    attrs = withoutDefaults(op, attrs);
    Node node;
    try {
      node = GraphBuilder.appendingTo(graph, registry).at(location)
          .node(op, List.of(operands), attrs, null, hints);
    } catch (CimcException e) {
      throw e;
    } catch (RuntimeException e) {
      // The op's inference failed on these operands other than with an InferenceException: a cimc bug, but the
      // model is what triggered it, so it is reported at the node instead of escaping as a stack trace.
      throw new CimcException(location, opName + ": cimc could not build this node (" + e + ")",
          "this is a cimc bug; please report it with the model", null, e);
    }
    for (Value r : node.results()) {
      if (r.type().shape().isStatic() && numel(r.type().shape()) > TensorProtoDecoder.MAX_ELEMENTS) {
        throw new CimcException(location, opName + ": the result " + r.type() + " has more than "
            + TensorProtoDecoder.MAX_ELEMENTS + " elements, the most cimc holds in one tensor", null);
      }
    }
    return fold(node);
  }

  /** Leaves out attributes equal to the op's defaults, so the imported IR reads as if written by hand. */
  private static Attributes withoutDefaults(OpDef op, Attributes attrs) {
    Attributes out = attrs;
    for (String name : attrs.names()) {
      if (attrs.get(name).equals(op.defaultOf(name))) {
        out = out.without(name);
      }
    }
    return out;
  }

  /** The element count of a static shape, or Long.MAX_VALUE when it overflows a long. */
  static long numel(dev.cimc.ir.type.Shape s) {
    long n = 1;
    for (int i = 0; i < s.rank(); i++) {
      int d = s.dim(i);
      if (d == 0) {
        return 0;
      }
    }
    for (int i = 0; i < s.rank(); i++) {
      try {
        n = Math.multiplyExact(n, (long) s.dim(i));
      } catch (ArithmeticException e) {
        return Long.MAX_VALUE;
      }
    }
    return n;
  }

  private List<Value> fold(Node n) {
    OpDef op = n.op();
    if (!op.has(Trait.PURE) || op.has(Trait.CONSTANT_LIKE) || op.kernel() == null) {
      return n.results();
    }
    Tensor[] args = new Tensor[n.numOperands()];
    for (int i = 0; i < args.length; i++) {
      args[i] = constants.get(n.operand(i));
      if (args[i] == null) {
        return n.results();
      }
    }
    long total = 0;
    for (Value r : n.results()) {
      if (!r.type().shape().isStatic()) {
        return n.results();
      }
      total += numel(r.type().shape());
      if (total > FOLD_LIMIT) {
        return n.results();
      }
    }
    Tensor[] out;
    try {
      out = op.kernel().run(new KernelContext(n, null), args);
    } catch (InferenceException e) {
      throw new CimcException(location, op.fullName() + ": " + e.getMessage(), null);
    } catch (CimcException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new CimcException(location, op.fullName() + ": evaluating the op on its constant operands failed ("
          + e + ")", "this is a cimc bug; please report it with the model", null, e);
    }
    var names = new ArrayList<String>(n.numResults());
    for (int i = 0; i < n.numResults(); i++) {
      if (!out[i].type().equals(n.result(i).type())) {
        throw new IllegalStateException("kernel of " + n.describe() + " returned " + out[i].type() + " for "
            + n.result(i).type());
      }
      names.add(n.result(i).name());
    }
    graph.erase(n);
    var results = new ArrayList<Value>(names.size());
    for (int i = 0; i < out.length; i++) {
      results.add(constant(out[i], names.get(i)));
    }
    return results;
  }
}
