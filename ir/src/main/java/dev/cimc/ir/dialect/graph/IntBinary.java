package dev.cimc.ir.dialect.graph;

import dev.cimc.ir.op.InferenceException;
import dev.cimc.ir.op.KernelContext;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.TensorType;

/**
 * Broadcasting binary kernels for integer tensors, computed on longs and wrapped to the element type
 * like C and numpy (two's complement overflow). Division truncates toward zero, as ONNX Runtime does.
 */
final class IntBinary {
  private IntBinary() {}

  /** Applies {@code op} to integer operands of the result's element type ({@code b} may differ for POW). */
  static Tensor apply(KernelContext ctx, Arith op, Tensor a, Tensor b, TensorType outType) {
    var plan = Broadcast.Plan.of(a.shape(), b.shape(), outType.shape());
    long[] x = longs(a);
    long[] z = new long[plan.size()];
    if (op == Arith.POW) {
      pow(plan, x, b, z);
      return pack(z, outType);
    }
    long[] y = longs(b);
    plan.run(ctx, Broadcast.Chunks.CHEAP, (o, ia, sa, ib, sb, len) -> {
      switch (op) {
        case ADD -> {
          for (int i = 0; i < len; i++) {
            z[o + i] = x[ia + i * sa] + y[ib + i * sb];
          }
        }
        case SUB -> {
          for (int i = 0; i < len; i++) {
            z[o + i] = x[ia + i * sa] - y[ib + i * sb];
          }
        }
        case MUL -> {
          for (int i = 0; i < len; i++) {
            z[o + i] = x[ia + i * sa] * y[ib + i * sb];
          }
        }
        case DIV -> {
          for (int i = 0; i < len; i++) {
            long d = y[ib + i * sb];
            if (d == 0) {
              throw new InferenceException("integer division by zero");
            }
            z[o + i] = x[ia + i * sa] / d;
          }
        }
        case MIN -> {
          for (int i = 0; i < len; i++) {
            z[o + i] = Math.min(x[ia + i * sa], y[ib + i * sb]);
          }
        }
        case MAX -> {
          for (int i = 0; i < len; i++) {
            z[o + i] = Math.max(x[ia + i * sa], y[ib + i * sb]);
          }
        }
        case PRELU -> {
          for (int i = 0; i < len; i++) {
            long v = x[ia + i * sa];
            z[o + i] = v < 0 ? v * y[ib + i * sb] : v;
          }
        }
        case POW -> throw new IllegalStateException("pow is handled above");
      }
    });
    return pack(z, outType);
  }

  /**
   * Integer base: exact repeated squaring (wrapping) for non-negative integer exponents; otherwise the
   * double power truncated toward zero, as numpy's {@code power(x, y).astype(x.dtype)} gives.
   */
  private static void pow(Broadcast.Plan plan, long[] x, Tensor b, long[] z) {
    boolean intExp = !b.elementType().isFloat();
    long[] ye = intExp ? longs(b) : null;
    double[] yd = intExp ? null : FloatBinary.doubles(b);
    plan.forEach(0, plan.size(), (o, ia, sa, ib, sb, len) -> {
      for (int i = 0; i < len; i++) {
        long base = x[ia + i * sa];
        if (intExp && ye[ib + i * sb] >= 0) {
          z[o + i] = powExact(base, ye[ib + i * sb]);
        } else {
          double e = intExp ? ye[ib + i * sb] : yd[ib + i * sb];
          z[o + i] = (long) Math.pow(base, e);
        }
      }
    });
  }

  private static long powExact(long base, long e) {
    long r = 1;
    long b = base;
    while (e > 0) {
      if ((e & 1) != 0) {
        r *= b;
      }
      b *= b;
      e >>= 1;
    }
    return r;
  }

  /** The elements as longs: the backing array of an i64 tensor, else a converted copy. */
  static long[] longs(Tensor t) {
    return t.rawData() instanceof long[] l ? l : t.toLongArray();
  }

  /** Stores longs in the storage of an integer type, wrapping each value to the type's width. */
  static Tensor pack(long[] v, TensorType type) {
    ElementType et = type.elementType();
    int n = v.length;
    Object data;
    switch (et.storage()) {
      case I64 -> data = v;
      case I32 -> {
        int[] d = new int[n];
        for (int i = 0; i < n; i++) {
          d[i] = (int) v[i];
        }
        data = d;
      }
      case I16 -> {
        short[] d = new short[n];
        for (int i = 0; i < n; i++) {
          d[i] = (short) v[i];
        }
        data = d;
      }
      case I8 -> {
        byte[] d = new byte[n];
        int bits = et.bits();
        if (bits == 8) {
          for (int i = 0; i < n; i++) {
            d[i] = (byte) v[i];
          }
        } else if (et.isSigned()) {
          int shift = 64 - bits;
          for (int i = 0; i < n; i++) {
            d[i] = (byte) ((v[i] << shift) >> shift);
          }
        } else {
          long mask = (1L << bits) - 1;
          for (int i = 0; i < n; i++) {
            d[i] = (byte) (v[i] & mask);
          }
        }
        data = d;
      }
      default -> throw new IllegalStateException("not an integer type: " + et);
    }
    return Tensor.wrap(type, data);
  }
}
