package dev.cimc.frontend.onnx;

import static dev.cimc.frontend.onnx.OnnxOp.Types.ANY;
import static dev.cimc.frontend.onnx.OnnxOp.Types.FLOAT;
import static dev.cimc.frontend.onnx.OnnxOp.Types.NUMERIC;

import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.TensorType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Elementwise ONNX ops: arithmetic, math functions, activations, Clip, Cast, and the pass-through ops
 * Identity and Dropout (which import as no node at all).
 */
final class ElementwiseImports {
  private ElementwiseImports() {}

  static List<OnnxOp> ops() {
    var ops = new ArrayList<OnnxOp>();
    for (String[] p : new String[][] {{"Add", "add"}, {"Sub", "sub"}, {"Mul", "mul"}, {"Div", "div"}}) {
      ops.add(OnnxOp.of(p[0], 1, NUMERIC, List.of("broadcast", "axis"), (n, g) -> arithmetic(n, g, "graph." + p[1])));
    }
    ops.add(OnnxOp.of("Pow", 1, NUMERIC, List.of("broadcast", "axis"), (n, g) -> arithmetic(n, g, "graph.pow")));
    ops.add(OnnxOp.of("Min", 1, NUMERIC, List.of(), (n, g) -> variadic(n, g, "graph.min")));
    ops.add(OnnxOp.of("Max", 1, NUMERIC, List.of(), (n, g) -> variadic(n, g, "graph.max")));
    ops.add(OnnxOp.of("Sum", 1, NUMERIC, List.of(), ElementwiseImports::sum));
    ops.add(OnnxOp.of("Mean", 1, FLOAT, List.of(), ElementwiseImports::mean));
    for (String[] p : new String[][] {{"Abs", "abs", "N"}, {"Neg", "neg", "N"}, {"Relu", "relu", "N"},
        {"Sqrt", "sqrt", "F"}, {"Exp", "exp", "F"}, {"Log", "log", "F"}, {"Reciprocal", "reciprocal", "F"},
        {"Erf", "erf", "F"}, {"Sigmoid", "sigmoid", "F"}, {"Tanh", "tanh", "F"}, {"HardSwish", "hard_swish", "F"}}) {
      int since = p[0].equals("Erf") ? 9 : p[0].equals("HardSwish") ? 14 : 1;
      ops.add(OnnxOp.of(p[0], since, p[2].equals("F") ? FLOAT : NUMERIC, List.of(),
          (n, g) -> unary(n, g, "graph." + p[1], Attributes.EMPTY)));
    }
    ops.add(OnnxOp.of("LeakyRelu", 1, FLOAT, List.of("alpha"), (n, g) -> unary(n, g, "graph.leaky_relu",
        AttrList.of().f("alpha", n.getFloat("alpha", 0.01)).build())));
    ops.add(OnnxOp.of("HardSigmoid", 1, FLOAT, List.of("alpha", "beta"), (n, g) -> unary(n, g, "graph.hard_sigmoid",
        AttrList.of().f("alpha", n.getFloat("alpha", 0.2)).f("beta", n.getFloat("beta", 0.5)).build())));
    ops.add(OnnxOp.of("Gelu", 20, FLOAT, List.of("approximate"), (n, g) -> unary(n, g, "graph.gelu",
        AttrList.of().s("approximate", n.getString("approximate", "none")).build())));
    ops.add(OnnxOp.of("PRelu", 1, FLOAT, List.of(), ElementwiseImports::prelu));
    ops.add(OnnxOp.of("Clip", 1, NUMERIC, List.of("min", "max"), ElementwiseImports::clip));
    ops.add(OnnxOp.of("Cast", 1, ANY, List.of("to", "saturate", "round_mode"), ElementwiseImports::cast));
    ops.add(OnnxOp.of("CastLike", 15, ANY, List.of("saturate", "round_mode"), ElementwiseImports::castLike));
    ops.add(OnnxOp.of("Identity", 1, ANY, List.of(), (n, g) -> {
      GraphImport.arity(n, 1, 1);
      return Arrays.asList(g.in(n, 0));
    }));
    ops.add(OnnxOp.of("Dropout", 1, ANY, List.of("ratio", "seed", "is_test"), ElementwiseImports::dropout));
    return ops;
  }

  private static List<Value> unary(OnnxNode n, GraphImport g, String op, Attributes attrs) {
    GraphImport.arity(n, 1, 1);
    return Arrays.asList(g.op(op, attrs, n.outputHint(0), g.in(n, 0)));
  }

  private static List<Value> binary(OnnxNode n, GraphImport g, String op) {
    GraphImport.arity(n, 2, 2);
    return Arrays.asList(g.op(op, Attributes.EMPTY, n.outputHint(0), g.in(n, 0), g.in(n, 1)));
  }

  /**
   * Add, Sub, Mul, Div and Pow. From opset 7 they broadcast as numpy does. Before 7 broadcasting is off
   * unless {@code broadcast = 1}, and then B is aligned with A's dimensions starting at {@code axis}
   * (default: B's dimensions are A's last ones, which numpy broadcasting does as well): B is reshaped with
   * trailing 1s so that numpy broadcasting aligns it there.
   */
  private static List<Value> arithmetic(OnnxNode n, GraphImport g, String op) {
    GraphImport.arity(n, 2, 2);
    Value a = g.in(n, 0);
    Value b = g.in(n, 1);
    if (n.opset() >= 7) {
      for (String legacy : List.of("broadcast", "axis")) {
        if (n.has(legacy)) {
          throw new CimcException(n.location(), n.describe() + " has the attribute '" + legacy + "', which only "
              + "opsets before 7 define", null);
        }
      }
    } else if (n.getInt("broadcast", 0) != 0 && n.has("axis")) {
      int ra = a.type().rank();
      int rb = b.type().rank();
      long axis = n.getInt("axis", 0);
      if (axis < 0) {
        axis += ra;
      }
      if (axis < 0 || axis + rb > ra) {
        throw new CimcException(n.location(), "axis " + n.getInt("axis", 0) + " of " + n.describe() + " does not "
            + "place " + b.type() + " inside " + a.type(), null);
      }
      int trailing = (int) (ra - axis - rb);
      if (trailing > 0) {
        long[] dims = new long[rb + trailing];
        for (int i = 0; i < dims.length; i++) {
          dims[i] = i < rb ? b.type().dim(i) : 1;
        }
        b = g.op("graph.reshape", AttrList.of().ints("shape", dims).build(), null, b);
      }
    } else if (n.getInt("broadcast", 0) == 0 && !a.type().shape().equals(b.type().shape())) {
      throw new CimcException(n.location(), n.describe() + " combines " + a.type() + " and " + b.type()
          + " without broadcast = 1; opset " + n.opset() + " needs equal shapes then", null);
    }
    return Arrays.asList(g.op(op, Attributes.EMPTY, n.outputHint(0), a, b));
  }

  /**
   * PRelu. Before opset 7 a 1-D slope with one value per channel applies along dimension 1 (it is reshaped
   * to C×1×...×1); from 7 the slope broadcasts to X as numpy does.
   */
  private static List<Value> prelu(OnnxNode n, GraphImport g) {
    GraphImport.arity(n, 2, 2);
    Value x = g.in(n, 0);
    Value slope = g.in(n, 1);
    TensorType xt = x.type();
    TensorType st = slope.type();
    if (n.opset() < 7 && st.rank() == 1 && xt.rank() > 2 && st.dim(0) == xt.dim(1) && st.dim(0) > 1) {
      long[] dims = new long[xt.rank() - 1];
      Arrays.fill(dims, 1);
      dims[0] = st.dim(0);
      slope = g.op("graph.reshape", AttrList.of().ints("shape", dims).build(), null, slope);
    }
    return Arrays.asList(g.op("graph.prelu", Attributes.EMPTY, n.outputHint(0), x, slope));
  }

  private static Value[] allInputs(OnnxNode n, GraphImport g) {
    GraphImport.arity(n, 1, Integer.MAX_VALUE);
    Value[] vs = new Value[n.numInputs()];
    for (int i = 0; i < vs.length; i++) {
      vs[i] = g.in(n, i);
    }
    return vs;
  }

  private static List<Value> variadic(OnnxNode n, GraphImport g, String op) {
    return Arrays.asList(g.op(op, Attributes.EMPTY, n.outputHint(0), allInputs(n, g)));
  }

  /** Sum(x1..xk) = ((x1 + x2) + x3) + ..., broadcasting as Add does. */
  private static List<Value> sum(OnnxNode n, GraphImport g) {
    Value[] vs = allInputs(n, g);
    return Arrays.asList(addAll(n, g, vs, n.outputHint(0)));
  }

  private static Value addAll(OnnxNode n, GraphImport g, Value[] vs, String hint) {
    Value acc = vs[0];
    if (vs.length == 1) {
      return g.op("graph.identity", Attributes.EMPTY, hint, acc);
    }
    for (int i = 1; i < vs.length; i++) {
      acc = g.op("graph.add", Attributes.EMPTY, i == vs.length - 1 ? hint : null, acc, vs[i]);
    }
    return acc;
  }

  /** Mean(x1..xk) = Sum(x1..xk) / k. */
  private static List<Value> mean(OnnxNode n, GraphImport g) {
    Value[] vs = allInputs(n, g);
    if (vs.length == 1) {
      return Arrays.asList(vs[0]);
    }
    Value sum = addAll(n, g, vs, null);
    ElementType et = sum.type().elementType();
    Value k = g.constant(Tensor.fromDoubles(TensorType.of(et), new double[] {vs.length}), null);
    return Arrays.asList(g.op("graph.div", Attributes.EMPTY, n.outputHint(0), sum, k));
  }

  /** Clip: bounds are attributes before opset 11 and optional constant inputs from 11. */
  private static List<Value> clip(OnnxNode n, GraphImport g) {
    var attrs = AttrList.of();
    if (n.opset() < 11) {
      GraphImport.arity(n, 1, 1);
      if (n.has("min")) {
        attrs.f("min", n.getFloat("min", 0));
      }
      if (n.has("max")) {
        attrs.f("max", n.getFloat("max", 0));
      }
    } else {
      GraphImport.arity(n, 1, 3);
      if (!n.attributes().isEmpty()) {
        throw new CimcException(n.location(), "Clip in opset " + n.opset() + " takes its bounds as inputs, not "
            + "attributes", null);
      }
      String[] names = {"min", "max"};
      for (int i = 1; i <= 2; i++) {
        if (n.hasInput(i)) {
          Tensor t = g.requireConstant(n, i, names[i - 1] + " bound");
          if (t.size() != 1) {
            throw new CimcException(n.location(), "the " + names[i - 1] + " bound of " + n.describe()
                + " must be a scalar, got " + t.type(), null);
          }
          attrs.f(names[i - 1], t.getDouble(0));
        }
      }
    }
    return Arrays.asList(g.op("graph.clip", attrs.build(), n.outputHint(0), g.in(n, 0)));
  }

  private static List<Value> cast(OnnxNode n, GraphImport g) {
    GraphImport.arity(n, 1, 1);
    long code = n.requireInt("to");
    OnnxDataType dt = OnnxDataType.ofCode((int) Math.max(Math.min(code, Integer.MAX_VALUE), -1));
    if (dt == null || dt == OnnxDataType.UNDEFINED) {
      throw new CimcException(n.location(), "attribute 'to' of " + n.describe() + " is not a data type: " + code,
          null);
    }
    if (dt.elementType() == null) {
      throw new OnnxUnsupportedException(n.location(), n.describe() + " casts to " + dt.onnxName()
          + ", an element type cimc does not support", null);
    }
    return Arrays.asList(castTo(n, g, dt.elementType()));
  }

  private static List<Value> castLike(OnnxNode n, GraphImport g) {
    GraphImport.arity(n, 2, 2);
    return Arrays.asList(castTo(n, g, g.typeOf(n, 1).elementType()));
  }

  private static Value castTo(OnnxNode n, GraphImport g, ElementType to) {
    return g.op("graph.cast", AttrList.of().type("to", to).build(), n.outputHint(0), g.in(n, 0));
  }

  /**
   * Dropout in inference (or with a ratio of 0) is the identity; its optional mask output is all true. A
   * training_mode input that is not the constant false, with a nonzero ratio, would make it random, which
   * cimc does not model.
   */
  private static List<Value> dropout(OnnxNode n, GraphImport g) {
    GraphImport.arity(n, 1, n.opset() >= 12 ? 3 : 1);
    if (n.opset() < 7 && n.getInt("is_test", 0) == 0 && n.getFloat("ratio", 0.5) != 0) {
      throw new OnnxUnsupportedException(n.location(), n.describe() + " runs in training mode (is_test = 0), which "
          + "cimc does not support", "export the model for inference (is_test = 1)");
    }
    if (n.hasInput(2)) {
      Tensor mode = g.constantIn(n, 2);
      Tensor ratio = n.hasInput(1) ? g.constantIn(n, 1) : null;
      boolean zeroRatio = ratio != null && ratio.size() == 1 && ratio.getDouble(0) == 0;
      if (!zeroRatio && (mode == null || mode.size() != 1 || mode.getDouble(0) != 0)) {
        throw new OnnxUnsupportedException(n.location(), n.describe() + " runs in training mode (random dropout), "
            + "which cimc does not support", "export the model for inference (training_mode = false)");
      }
    }
    Value x = g.in(n, 0);
    if (!n.hasOutput(1)) {
      return Arrays.asList(x);
    }
    Tensor one = Tensor.wrap(TensorType.of(ElementType.BOOL), new byte[] {1});
    Value mask = g.op("graph.constant_of_shape",
        AttrList.of().ints("shape", toLongs(x.type().shape().dims())).tensor("value", one).build(), n.outputHint(1));
    return Arrays.asList(x, mask);
  }

  static long[] toLongs(int[] v) {
    long[] l = new long[v.length];
    for (int i = 0; i < v.length; i++) {
      l[i] = v[i];
    }
    return l;
  }
}
