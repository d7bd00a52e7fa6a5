package dev.cimc.ir.dialect.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.Shape;
import dev.cimc.ir.type.TensorType;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The broadcast run plan against naive per-index broadcasting, over random shapes. */
class BroadcastPlanTest {

  @Provide
  Arbitrary<int[]> dims() {
    return Arbitraries.integers().between(0, 4).array(int[].class).ofMaxSize(4);
  }

  /** An operand shape that broadcasts to {@code out}: a suffix of it with some dimensions set to 1. */
  private static Shape operand(int[] out, Random r) {
    int rank = r.nextInt(out.length + 1);
    int[] d = new int[rank];
    for (int i = 0; i < rank; i++) {
      d[i] = r.nextInt(3) == 0 ? 1 : out[out.length - rank + i];
    }
    return Shape.of(d);
  }

  private static Tensor filled(Shape s, ElementType et, Random r) {
    double[] v = new double[(int) s.numel()];
    for (int i = 0; i < v.length; i++) {
      v[i] = r.nextInt(200) - 100;
    }
    return Tensor.fromDoubles(new TensorType(et, s, null), v);
  }

  /** The flat offset in {@code in} of the output index {@code o}, by right-aligned broadcasting. */
  private static int naiveOffset(Shape in, Shape out, int o) {
    int off = 0;
    int stride = 1;
    int rem = o;
    for (int d = out.rank() - 1; d >= 0; d--) {
      int idx = rem % out.dim(d);
      rem /= out.dim(d);
      int id = d - (out.rank() - in.rank());
      if (id >= 0) {
        off += (in.dim(id) == 1 ? 0 : idx) * stride;
        stride *= in.dim(id);
      }
    }
    return off;
  }

  @Property(tries = 400)
  void runsVisitEveryOutputWithTheRightOperandElements(@ForAll("dims") int[] outDims, @ForAll long seed) {
    var r = new Random(seed);
    Shape a = operand(outDims, r);
    Shape b = operand(outDims, r);
    Shape out = Broadcast.shape(a, b);
    var plan = Broadcast.Plan.of(a, b, out);
    int n = (int) out.numel();
    assertEquals(n, plan.size());
    int[] seenA = new int[n];
    int[] seenB = new int[n];
    int[] hits = new int[n];
    int split = n == 0 ? 0 : r.nextInt(n + 1);
    Broadcast.Plan.Run visit = (o, ia, sa, ib, sb, len) -> {
      assertTrue(sa == 0 || sa == 1, "a step");
      assertTrue(sb == 0 || sb == 1, "b step");
      for (int i = 0; i < len; i++) {
        seenA[o + i] = ia + i * sa;
        seenB[o + i] = ib + i * sb;
        hits[o + i]++;
      }
    };
    plan.forEach(0, split, visit);
    plan.forEach(split, n, visit);
    for (int o = 0; o < n; o++) {
      assertEquals(1, hits[o], "visits of " + o);
      assertEquals(naiveOffset(a, out, o), seenA[o], "a offset of " + o + " in " + a + " -> " + out);
      assertEquals(naiveOffset(b, out, o), seenB[o], "b offset of " + o + " in " + b + " -> " + out);
    }
  }

  @Property(tries = 200)
  void floatIntegerAndGenericKernelsAgree(@ForAll("dims") int[] outDims, @ForAll long seed) {
    var r = new Random(seed);
    Shape a = operand(outDims, r);
    Shape b = operand(outDims, r);
    Shape out = Broadcast.shape(a, b);
    Tensor fa = filled(a, ElementType.F32, r);
    Tensor fb = filled(b, ElementType.F32, r);
    for (Arith op : new Arith[] {Arith.ADD, Arith.SUB, Arith.MUL, Arith.MIN, Arith.MAX, Arith.PRELU}) {
      Tensor f = FloatBinary.apply(null, op, fa, fb, new TensorType(ElementType.F32, out, null));
      Tensor d = FloatBinary.apply(fa.cast(ElementType.F64), fb.cast(ElementType.F64),
          new TensorType(ElementType.F64, out, null), op::apply);
      Tensor i = IntBinary.apply(null, op, fa.cast(ElementType.I32), fb.cast(ElementType.I32),
          new TensorType(ElementType.I32, out, null));
      for (int o = 0; o < f.size(); o++) {
        double want = op.apply(fa.getDouble(naiveOffset(a, out, o)), fb.getDouble(naiveOffset(b, out, o)));
        assertEquals(want, f.getDouble(o), op + " f32 at " + o);
        assertEquals(want, d.getDouble(o), op + " f64 at " + o);
        assertEquals((long) want, i.getLong(o), op + " i32 at " + o);
      }
    }
  }

  @Test
  void unidirectionalBroadcasting() {
    assertTrue(Broadcast.broadcastsTo(Shape.of(3), Shape.of(2, 3)));
    assertTrue(Broadcast.broadcastsTo(Shape.SCALAR, Shape.of(2, 3)));
    assertTrue(Broadcast.broadcastsTo(Shape.of(2, 1), Shape.of(2, 3)));
    assertTrue(Broadcast.broadcastsTo(Shape.of(Shape.DYNAMIC), Shape.of(2, 3)));
    assertFalse(Broadcast.broadcastsTo(Shape.of(2), Shape.of(2, 3)));
    assertFalse(Broadcast.broadcastsTo(Shape.of(1, 2, 3), Shape.of(2, 3)));
    assertFalse(Broadcast.broadcastsTo(Shape.of(3), Shape.of(1)));
  }
}
