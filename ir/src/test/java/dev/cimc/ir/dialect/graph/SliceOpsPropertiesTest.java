package dev.cimc.ir.dialect.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Combinators;

/** Slice and transpose kernels against element-by-element references. */
class SliceOpsPropertiesTest {
  record Case(int[] dims, long[] starts, long[] ends, long[] steps) {
    @Override
    public String toString() {
      return "dims " + Arrays.toString(dims) + ", starts " + Arrays.toString(starts) + ", ends "
          + Arrays.toString(ends) + ", steps " + Arrays.toString(steps);
    }
  }

  private static final long[] SPECIAL = {Long.MIN_VALUE, Long.MAX_VALUE, -1000, 1000};

  @Provide
  Arbitrary<Case> cases() {
    Arbitrary<Long> bound = Arbitraries.oneOf(Arbitraries.longs().between(-7, 7), Arbitraries.of(SPECIAL[0], SPECIAL[1],
        SPECIAL[2], SPECIAL[3]));
    Arbitrary<Long> step = Arbitraries.longs().between(-3, 3).filter(s -> s != 0);
    return Arbitraries.integers().between(1, 3).flatMap(r -> Combinators.combine(
        Arbitraries.integers().between(0, 5).array(int[].class).ofSize(r),
        bound.list().ofSize(r), bound.list().ofSize(r), step.list().ofSize(r))
        .as((d, s, e, st) -> new Case(d, toArray(s), toArray(e), toArray(st))));
  }

  private static long[] toArray(List<Long> l) {
    long[] a = new long[l.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = l.get(i);
    }
    return a;
  }

  /**
   * The element indices a slice visits along an axis of length n, by the ONNX spec's clamping. It equals
   * Python slicing except that a backward slice starting before the first element visits element 0
   * (the spec clamps the start into [0, n-1]; ONNX Runtime does the same), where Python visits nothing.
   */
  private static List<Integer> indices(long start, long stop, long step, int n) {
    var out = new ArrayList<Integer>();
    if (n == 0) {
      return out;
    }
    start = start < 0 ? start + n : start;
    stop = stop < 0 ? stop + n : stop;
    if (step > 0) {
      start = Math.max(0, Math.min(n, start));
      stop = Math.max(0, Math.min(n, stop));
    } else {
      start = Math.max(0, Math.min(n - 1, start));
      stop = Math.max(-1, Math.min(n - 1, stop));
    }
    for (long i = start; step > 0 ? i < stop : i > stop; i += step) {
      out.add((int) i);
    }
    return out;
  }

  @Property(tries = 300)
  void sliceMatchesPythonSlicing(@ForAll("cases") Case c) {
    int r = c.dims.length;
    Tensor x = ShapeOpsHarness.iota(ElementType.I32, c.dims);
    Tensor y = ShapeOpsHarness.run("graph.slice", Attributes.of("starts", Attribute.ints(c.starts),
        "ends", Attribute.ints(c.ends), "steps", Attribute.ints(c.steps)), x);
    var idx = new ArrayList<List<Integer>>();
    int[] outDims = new int[r];
    for (int d = 0; d < r; d++) {
      idx.add(indices(c.starts[d], c.ends[d], c.steps[d], c.dims[d]));
      outDims[d] = idx.get(d).size();
    }
    assertArrayEquals(outDims, y.shape().dims());
    long[] strides = x.shape().strides();
    var want = new ArrayList<Long>();
    collect(idx, strides, 0, 0, want);
    assertEquals(want.size(), y.size());
    for (int i = 0; i < want.size(); i++) {
      assertEquals((long) want.get(i), y.getLong(i));
    }
  }

  private static void collect(List<List<Integer>> idx, long[] strides, int d, long off, List<Long> out) {
    if (d == idx.size()) {
      out.add(off);
      return;
    }
    for (int i : idx.get(d)) {
      collect(idx, strides, d + 1, off + i * strides[d], out);
    }
  }

  @Property(tries = 100)
  void transposeMatchesIndexPermutation(@ForAll("perms") int[] perm) {
    int r = perm.length;
    int[] dims = new int[r];
    for (int i = 0; i < r; i++) {
      dims[i] = 2 + i;
    }
    Tensor x = ShapeOpsHarness.iota(ElementType.F64, dims);
    Tensor y = ShapeOpsHarness.run("graph.transpose", Attributes.of("perm", Attribute.ints(perm)), x);
    long[] xs = x.shape().strides();
    int[] od = y.shape().dims();
    int[] idx = new int[r];
    for (int o = 0; o < y.size(); o++) {
      long src = 0;
      for (int k = 0; k < r; k++) {
        src += idx[k] * xs[perm[k]];
      }
      assertEquals((double) src, y.getDouble(o));
      for (int k = r - 1; k >= 0 && ++idx[k] == od[k]; k--) {
        idx[k] = 0;
      }
    }
  }

  @Provide
  Arbitrary<int[]> perms() {
    return Arbitraries.integers().between(1, 5).flatMap(r -> {
      var base = new ArrayList<Integer>();
      for (int i = 0; i < r; i++) {
        base.add(i);
      }
      return Arbitraries.shuffle(base).map(l -> l.stream().mapToInt(Integer::intValue).toArray());
    });
  }
}
