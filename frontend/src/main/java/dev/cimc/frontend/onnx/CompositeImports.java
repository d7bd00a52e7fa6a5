package dev.cimc.frontend.onnx;

import static dev.cimc.frontend.onnx.OnnxOp.Types.FLOAT;
import static dev.cimc.frontend.onnx.OnnxOp.Types.NUMERIC;

import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.TensorType;
import java.util.Arrays;
import java.util.List;

/**
 * ONNX ops the graph dialect has no op for, imported as a few graph ops that compute the same formula as
 * the ONNX reference implementation: Elu, Selu, Celu, Softplus, Softsign, Tile and the reductions ReduceMin,
 * ReduceL1, ReduceL2, ReduceSumSquare, ReduceLogSum and ReduceLogSumExp.
 */
final class CompositeImports {
  private CompositeImports() {}

  static List<OnnxOp> ops() {
    List<String> reduceAttrs = List.of("axes", "keepdims", "noop_with_empty_axes");
    return List.of(
        OnnxOp.of("Elu", 1, FLOAT, List.of("alpha"), CompositeImports::elu),
        OnnxOp.of("Selu", 1, FLOAT, List.of("alpha", "gamma"), CompositeImports::selu),
        OnnxOp.of("Celu", 12, FLOAT, List.of("alpha"), CompositeImports::celu),
        OnnxOp.of("Softplus", 1, FLOAT, List.of(), (n, g) -> {
          // log(exp(x) + 1)
          Value x = unaryInput(n, g);
          return one(g.op("graph.log", Attributes.EMPTY, n.outputHint(0), add(g, g.op("graph.exp", x), scalar(g, x, 1))));
        }),
        OnnxOp.of("Softsign", 1, FLOAT, List.of(), (n, g) -> {
          // x / (|x| + 1)
          Value x = unaryInput(n, g);
          return one(g.op("graph.div", Attributes.EMPTY, n.outputHint(0), x,
              add(g, g.op("graph.abs", x), scalar(g, x, 1))));
        }),
        OnnxOp.of("Tile", 6, NUMERIC, List.of(), CompositeImports::tile),
        OnnxOp.of("ReduceMin", 1, FLOAT, reduceAttrs, (n, g) -> reduce(n, g, 18, Reduction.MIN)),
        OnnxOp.of("ReduceL1", 1, NUMERIC, reduceAttrs, (n, g) -> reduce(n, g, 18, Reduction.L1)),
        OnnxOp.of("ReduceL2", 1, FLOAT, reduceAttrs, (n, g) -> reduce(n, g, 18, Reduction.L2)),
        OnnxOp.of("ReduceSumSquare", 1, NUMERIC, reduceAttrs, (n, g) -> reduce(n, g, 18, Reduction.SUM_SQUARE)),
        OnnxOp.of("ReduceLogSum", 1, FLOAT, reduceAttrs, (n, g) -> reduce(n, g, 18, Reduction.LOG_SUM)),
        OnnxOp.of("ReduceLogSumExp", 1, FLOAT, reduceAttrs, (n, g) -> reduce(n, g, 18, Reduction.LOG_SUM_EXP)));
  }

  private static List<Value> one(Value v) {
    return Arrays.asList(v);
  }

  private static Value unaryInput(OnnxNode n, GraphImport g) {
    GraphImport.arity(n, 1, 1);
    return g.in(n, 0);
  }

  private static Value scalar(GraphImport g, Value like, double v) {
    return g.constant(Tensor.fromDoubles(TensorType.of(like.type().elementType()), new double[] {v}), null);
  }

  private static Value add(GraphImport g, Value a, Value b) {
    return g.op("graph.add", a, b);
  }

  private static Value mul(GraphImport g, Value a, Value b) {
    return g.op("graph.mul", a, b);
  }

  /** exp(min(x, 0)) - 1: the negative branch of the exponential units, 0 for x ≥ 0. */
  private static Value expm1OfNegativePart(GraphImport g, Value x) {
    Value neg = g.op("graph.clip", AttrList.of().f("max", 0).build(), null, x);
    return g.op("graph.sub", g.op("graph.exp", neg), scalar(g, x, 1));
  }

  /** Elu: relu(x) + alpha · (exp(min(x, 0)) - 1), which is x above 0 and alpha · (e^x - 1) below. */
  private static List<Value> elu(OnnxNode n, GraphImport g) {
    Value x = unaryInput(n, g);
    Value negative = mul(g, expm1OfNegativePart(g, x), scalar(g, x, n.getFloat("alpha", 1.0)));
    return one(g.op("graph.add", Attributes.EMPTY, n.outputHint(0), g.op("graph.relu", x), negative));
  }

  /** Selu: gamma · (relu(x) + alpha · (exp(min(x, 0)) - 1)). */
  private static List<Value> selu(OnnxNode n, GraphImport g) {
    Value x = unaryInput(n, g);
    double alpha = n.getFloat("alpha", 1.67326319217681884765625);
    double gamma = n.getFloat("gamma", 1.05070102214813232421875);
    Value inner = add(g, g.op("graph.relu", x), mul(g, expm1OfNegativePart(g, x), scalar(g, x, alpha)));
    return one(g.op("graph.mul", Attributes.EMPTY, n.outputHint(0), inner, scalar(g, x, gamma)));
  }

  /** Celu: max(0, x) + min(0, alpha · (exp(x / alpha) - 1)). */
  private static List<Value> celu(OnnxNode n, GraphImport g) {
    Value x = unaryInput(n, g);
    double alpha = n.getFloat("alpha", 1.0);
    Value e = g.op("graph.sub", g.op("graph.exp", g.op("graph.div", x, scalar(g, x, alpha))), scalar(g, x, 1));
    Value negative = g.op("graph.clip", AttrList.of().f("max", 0).build(), null, mul(g, e, scalar(g, x, alpha)));
    return one(g.op("graph.add", Attributes.EMPTY, n.outputHint(0), g.op("graph.relu", x), negative));
  }

  /**
   * Tile(x, repeats) = reshape(reshape(x, [1, d0, 1, d1, ...]) · ones([r0, 1, r1, 1, ...]), [r0·d0, r1·d1, ...]):
   * the broadcast product lays out r_i copies of each axis in the order np.tile produces.
   */
  private static List<Value> tile(OnnxNode n, GraphImport g) {
    GraphImport.arity(n, 2, 2);
    Value x = g.in(n, 0);
    long[] repeats = g.requireLongs(n, 1, "repeats");
    int r = x.type().rank();
    if (repeats.length != r) {
      throw new CimcException(n.location(), "repeats of " + n.describe() + " has " + repeats.length + " entries for "
          + "an input of rank " + r, null);
    }
    long[] spread = new long[2 * r];
    long[] ones = new long[2 * r];
    long[] out = new long[r];
    for (int i = 0; i < r; i++) {
      if (repeats[i] < 0) {
        throw new CimcException(n.location(), "repeats of " + n.describe() + " has a negative entry " + repeats[i],
            null);
      }
      spread[2 * i] = 1;
      spread[2 * i + 1] = x.type().dim(i);
      ones[2 * i] = repeats[i];
      ones[2 * i + 1] = 1;
      out[i] = repeats[i] * x.type().dim(i);
    }
    ElementType et = x.type().elementType();
    Tensor one = Tensor.fromDoubles(TensorType.of(et, 1), new double[] {1});
    Value spreadX = g.op("graph.reshape", AttrList.of().ints("shape", spread).build(), null, x);
    Value copies = g.op("graph.constant_of_shape", AttrList.of().ints("shape", ones).tensor("value", one).build(),
        null);
    return one(g.op("graph.reshape", AttrList.of().ints("shape", out).build(), n.outputHint(0),
        mul(g, spreadX, copies)));
  }

  private enum Reduction {
    MIN,
    L1,
    L2,
    SUM_SQUARE,
    LOG_SUM,
    LOG_SUM_EXP
  }

  /** The reductions ONNX defines beyond sum, mean and max, in terms of those (axes as for ReduceMean). */
  private static List<Value> reduce(OnnxNode n, GraphImport g, int axesInputSince, Reduction kind) {
    long keepdims = n.getInt("keepdims", 1);
    var attrs = AttrList.of();
    if (n.opset() < axesInputSince) {
      GraphImport.arity(n, 1, 1);
      attrs.ints("axes", n.getInts("axes"));
    } else {
      GraphImport.arity(n, 1, 2);
      ShapeImports.noAttribute(n, "axes");
      if (n.hasInput(1)) {
        attrs.ints("axes", g.requireLongs(n, 1, "axes"));
      }
      attrs.i("noop_with_empty_axes", n.getInt("noop_with_empty_axes", 0));
    }
    Value x = g.in(n, 0);
    String out = n.outputHint(0);
    var a = attrs.i("keepdims", keepdims).build();
    return one(switch (kind) {
      // min(x) = -max(-x)
      case MIN -> g.op("graph.neg", Attributes.EMPTY, out,
          g.op("graph.reduce_max", a, null, g.op("graph.neg", x)));
      case L1 -> g.op("graph.reduce_sum", a, out, g.op("graph.abs", x));
      case SUM_SQUARE -> g.op("graph.reduce_sum", a, out, mul(g, x, x));
      case L2 -> g.op("graph.sqrt", Attributes.EMPTY, out, g.op("graph.reduce_sum", a, null, mul(g, x, x)));
      case LOG_SUM -> g.op("graph.log", Attributes.EMPTY, out, g.op("graph.reduce_sum", a, null, x));
      case LOG_SUM_EXP -> {
        // log Σ e^(x - m) + m with m the maximum, kept as size-1 dimensions so it broadcasts back
        var kept = attrs.i("keepdims", 1).build();
        Value m = g.op("graph.reduce_max", kept, null, x);
        Value s = g.op("graph.reduce_sum", kept, null, g.op("graph.exp", g.op("graph.sub", x, m)));
        Value lse = add(g, g.op("graph.log", s), m);
        TensorType want = g.op("graph.reduce_max", a, null, x).type();
        yield g.op("graph.reshape", AttrList.of().ints("shape", ElementwiseImports.toLongs(want.shape().dims()))
            .build(), out, lse);
      }
    });
  }
}
