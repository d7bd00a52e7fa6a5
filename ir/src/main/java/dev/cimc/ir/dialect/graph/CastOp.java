package dev.cimc.ir.dialect.graph;

import dev.cimc.ir.attr.AttrKind;
import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.op.InferenceException;
import dev.cimc.ir.op.OpDef;
import dev.cimc.ir.op.Trait;
import dev.cimc.ir.tensor.Half;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.TensorType;
import java.util.List;

/**
 * {@code graph.cast} (ONNX Cast, as the ONNX reference computes it with numpy {@code astype}): floats to
 * integers truncate toward zero (NaN gives 0) and then wrap to the target width, as C casts do (the ONNX
 * int4/uint4 conformance data wraps); integers to narrower integers wrap; anything to bool is
 * {@code x != 0} (NaN is true); floats to narrower floats round to nearest even.
 */
final class CastOp {
  private CastOp() {}

  static OpDef def() {
    return OpDef.builder("graph", "cast")
        .summary("converts the elements to the element type `to`")
        .operands("x")
        .requiredAttr("to", AttrKind.TYPE)
        .traits(Trait.PURE)
        .infer(ctx -> {
          TensorType t = ctx.operand(0);
          if (t.isQuantized()) {
            throw new InferenceException("cannot cast the quantized " + t + "; dequantize it instead");
          }
          return List.of(t.withElementType(((Attribute.TypeAttr) ctx.attr("to")).value()));
        })
        .kernel((ctx, in) -> new Tensor[] {cast(in[0], ShapeOps.resultTypes(ctx, in).get(0))})
        // cast(x, type of x) = x
        .folder(n -> n.result().type().equals(n.operand(0).type()) ? n.operand(0) : null)
        // cast(cast(x, wide), type of x) = x when wide holds every value of x exactly
        .folder(CastOp::foldRoundTrip)
        .build();
  }

  private static Value foldRoundTrip(Node n) {
    Node inner = n.operand(0).producer();
    if (inner == null || inner.op() != n.op()) {
      return null;
    }
    Value x = inner.operand(0);
    return n.result().type().equals(x.type()) && holdsExactly(x.type().elementType(), inner.result().type().elementType())
        ? x : null;
  }

  /** True if every value of {@code from} converts to {@code wide} and back unchanged. */
  static boolean holdsExactly(ElementType from, ElementType wide) {
    if (from == ElementType.BOOL) {
      return true;
    }
    if (wide == ElementType.BOOL) {
      return false;
    }
    if (from.isFloat()) {
      return wide.isFloat() && wide.bits() >= from.bits();
    }
    if (wide.isFloat()) {
      int mantissa = wide == ElementType.F16 ? 11 : wide == ElementType.F32 ? 24 : 53;
      return from.bits() <= mantissa;
    }
    if (wide.isSigned()) {
      return wide.bits() >= from.bits() + (from.isSigned() ? 0 : 1);
    }
    return !from.isSigned() && wide.bits() >= from.bits();
  }

  static Tensor cast(Tensor x, TensorType outType) {
    ElementType from = x.elementType();
    ElementType to = outType.elementType();
    if (x.type().equals(outType)) {
      return x;
    }
    int n = x.size();
    Object dst = StridedCopy.newArray(to, n);
    if (from.isFloat()) {
      double[] v;
      if (from == ElementType.F32) {
        float[] f = x.floats();
        v = new double[n];
        for (int i = 0; i < n; i++) {
          v[i] = f[i];
        }
      } else {
        v = new double[n];
        for (int i = 0; i < n; i++) {
          v[i] = x.getDouble(i);
        }
      }
      storeDoubles(v, to, dst);
    } else {
      storeLongs(x.toLongArray(), to, dst);
    }
    return Tensor.wrap(outType, dst);
  }

  private static void storeDoubles(double[] v, ElementType to, Object dst) {
    int n = v.length;
    if (dst instanceof float[] z) {
      for (int i = 0; i < n; i++) {
        z[i] = (float) v[i];
      }
    } else if (dst instanceof double[] z) {
      System.arraycopy(v, 0, z, 0, n);
    } else if (to == ElementType.F16) {
      short[] z = (short[]) dst;
      for (int i = 0; i < n; i++) {
        z[i] = Half.fromFloat((float) v[i]);
      }
    } else {
      long[] l = new long[n];
      for (int i = 0; i < n; i++) {
        double d = v[i];
        if (to == ElementType.BOOL) {
          l[i] = d != 0 ? 1 : 0;
        } else {
          // Java's (long) truncates toward zero and sends NaN to 0.
          l[i] = (long) d;
        }
      }
      storeLongs(l, to, dst);
    }
  }

  private static void storeLongs(long[] v, ElementType to, Object dst) {
    int n = v.length;
    if (dst instanceof float[] z) {
      for (int i = 0; i < n; i++) {
        z[i] = (float) v[i];
      }
    } else if (dst instanceof double[] z) {
      for (int i = 0; i < n; i++) {
        z[i] = (double) v[i];
      }
    } else if (to == ElementType.F16) {
      short[] z = (short[]) dst;
      for (int i = 0; i < n; i++) {
        z[i] = Half.fromFloat((float) v[i]);
      }
    } else if (dst instanceof long[] z) {
      System.arraycopy(v, 0, z, 0, n);
    } else if (dst instanceof int[] z) {
      for (int i = 0; i < n; i++) {
        z[i] = (int) v[i];
      }
    } else if (dst instanceof short[] z) {
      for (int i = 0; i < n; i++) {
        z[i] = (short) v[i];
      }
    } else {
      byte[] z = (byte[]) dst;
      for (int i = 0; i < n; i++) {
        z[i] = (byte) wrap(v[i], to);
      }
    }
  }

  /** Wraps an integer to the width of {@code to} (two's complement; bool is v != 0). */
  static long wrap(long v, ElementType to) {
    if (to == ElementType.BOOL) {
      return v != 0 ? 1 : 0;
    }
    int bits = to.bits();
    if (bits == 64) {
      return v;
    }
    if (to.isSigned()) {
      return (v << (64 - bits)) >> (64 - bits);
    }
    return v & ((1L << bits) - 1);
  }
}
