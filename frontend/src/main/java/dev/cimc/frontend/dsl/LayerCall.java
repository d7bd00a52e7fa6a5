package dev.cimc.frontend.dsl;

import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.graph.GraphBuilder;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.TensorType;
import java.util.ArrayList;
import java.util.List;

/**
 * One call of a built-in layer while lowering: its evaluated arguments, its qualified name
 * ({@code layer1.0.conv1}) and the means to add nodes and weight constants named after it. A
 * {@link LayerFailure} thrown from here is reported at the call.
 */
final class LayerCall {
  /** Supplies the constants of a layer: from the weight file or the initializer. */
  interface WeightSupplier {
    Tensor get(String layer, String name, WeightRole role, int[] shape, long fanIn, long fanOut);
  }

  private final String layer;
  private final String name;
  private final Signature signature;
  private final Val[] args;
  private final GraphBuilder builder;
  private final WeightSupplier weights;

  LayerCall(String layer, String name, Signature signature, Val[] args, GraphBuilder builder,
      WeightSupplier weights) {
    this.layer = layer;
    this.name = name;
    this.signature = signature;
    this.args = args;
    this.builder = builder;
    this.weights = weights;
  }

  /** The layer kind ({@code conv2d}). */
  String layer() {
    return layer;
  }

  /** The qualified layer name; the layer's result value and its constants are named after it. */
  String name() {
    return name;
  }

  /** A call for a part of this layer (a projection of attention), named {@code name.part}. */
  LayerCall part(String part) {
    return new LayerCall(layer, name + "." + part, signature, args, builder, weights);
  }

  private Val arg(String param) {
    int i = signature.indexOf(param);
    if (i < 0) {
      throw new IllegalStateException(layer + " has no parameter " + param);
    }
    return args[i];
  }

  boolean has(String param) {
    return arg(param) != null;
  }

  Value tensor(String param) {
    return ((Val.TensorV) arg(param)).value();
  }

  List<Value> tensors(String param) {
    return ((Val.TensorsV) arg(param)).values();
  }

  long integer(String param) {
    return ((Val.IntV) arg(param)).value();
  }

  /** An int parameter that must be at least {@code min}, as a Java int. */
  int integer(String param, long min) {
    long v = integer(param);
    if (v < min || v > Integer.MAX_VALUE) {
      throw fail("`" + param + "` must be " + (min == 1 ? "positive" : "at least " + min) + ", got " + v, null);
    }
    return (int) v;
  }

  double real(String param) {
    Val v = arg(param);
    return v instanceof Val.IntV i ? i.value() : ((Val.FloatV) v).value();
  }

  boolean bool(String param) {
    return ((Val.BoolV) arg(param)).value();
  }

  String string(String param) {
    return ((Val.StrV) arg(param)).value();
  }

  /** An ints parameter as given (a single int is a one-element list). */
  long[] ints(String param) {
    Val v = arg(param);
    return v instanceof Val.IntV i ? new long[] {i.value()} : ((Val.IntsV) v).toArray();
  }

  /**
   * An ints parameter spread over {@code rank} spatial dimensions: one value is repeated, {@code rank}
   * values are taken as they are; each must be at least {@code min}.
   */
  long[] perDim(String param, int rank, long min) {
    long[] v = ints(param);
    if (v.length == 1 && rank > 1) {
      long[] r = new long[rank];
      java.util.Arrays.fill(r, v[0]);
      v = r;
    }
    if (v.length != rank) {
      throw fail("`" + param + "` needs 1 or " + rank + " values, got " + v.length, null);
    }
    for (long x : v) {
      if (x < min) {
        throw fail("`" + param + "` values must be at least " + min + ", got " + new Val.IntsV(box(v)).text(), null);
      }
    }
    return v;
  }

  /**
   * Padding over 2 spatial dimensions in ONNX order (top, left, bottom, right): one value pads every side,
   * two give (vertical, horizontal), four are taken as they are.
   */
  long[] pads2d(String param) {
    long[] v = ints(param);
    long[] p;
    if (v.length == 1) {
      p = new long[] {v[0], v[0], v[0], v[0]};
    } else if (v.length == 2) {
      p = new long[] {v[0], v[1], v[0], v[1]};
    } else if (v.length == 4) {
      p = v.clone();
    } else {
      throw fail("`" + param + "` needs 1, 2 or 4 values, got " + v.length, null);
    }
    for (long x : p) {
      if (x < 0) {
        throw fail("`" + param + "` must not be negative, got " + new Val.IntsV(box(v)).text(), null);
      }
    }
    return p;
  }

  private static List<Long> box(long[] v) {
    var l = new ArrayList<Long>(v.length);
    for (long x : v) {
      l.add(x);
    }
    return l;
  }

  /** Requires {@code x} to have rank {@code rank}; {@code layout} names its dimensions in the message. */
  TensorType requireRank(Value x, int rank, String layout) {
    TensorType t = x.type();
    if (t.rank() != rank) {
      throw fail("`" + layer + "` needs a " + rank + "-D input (" + layout + "), got " + TypeText.of(t), null);
    }
    requireStatic(t);
    return t;
  }

  TensorType requireStatic(TensorType t) {
    if (!t.shape().isStatic()) {
      throw fail("`" + layer + "` needs a static shape, got " + TypeText.of(t), null);
    }
    return t;
  }

  /** Adds the layer's result node (named after the layer). */
  Value op(String opName, Attributes attrs, Value... operands) {
    return builder.named(name, opName, attrs, operands);
  }

  /** Adds an inner node of the layer, named {@code name.part}. */
  Value op(String part, String opName, Attributes attrs, Value... operands) {
    return builder.named(name + "." + part, opName, attrs, operands);
  }

  /** The tensor for the constant {@code name.suffix} from the weight file or initializer. */
  Tensor weightTensor(String suffix, WeightRole role, long fanIn, long fanOut, int... shape) {
    return weights.get(layer, name + "." + suffix, role, shape, fanIn, fanOut);
  }

  /** A constant {@code name.suffix} from the weight file or initializer. */
  Value weight(String suffix, WeightRole role, long fanIn, long fanOut, int... shape) {
    return constant(suffix, weightTensor(suffix, role, fanIn, fanOut, shape));
  }

  /** A constant {@code name.suffix} holding {@code t}. */
  Value constant(String suffix, Tensor t) {
    return builder.constant(name + "." + suffix, t);
  }

  /** A failure of this call; the message is prefixed with the layer unless it starts by naming it. */
  LayerFailure fail(String message, String hint) {
    String own = "`" + layer + "`";
    return new LayerFailure(message.startsWith(own + " ") ? message : own + ": " + message, hint);
  }
}
