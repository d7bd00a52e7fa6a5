package dev.cimc.ir.dialect.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.TensorType;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * erf, gelu, tanh and sigmoid against double-precision references computed with mpmath
 * ({@code reference/activations.txt}, written by {@code make_activations.py} beside it).
 */
class ActivationAccuracyTest {
  private static final int X = 0;
  private static final int ERF = 1;
  private static final int ERFC = 2;
  private static final int GELU = 3;
  private static final int GELU_TANH = 4;
  private static final int TANH = 5;
  private static final int SIGMOID = 6;

  private static double[][] table;

  @BeforeAll
  static void load() throws IOException {
    var rows = new ArrayList<double[]>();
    try (var in = ActivationAccuracyTest.class.getResourceAsStream("/reference/activations.txt");
        var r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        if (line.startsWith("#") || line.isBlank()) {
          continue;
        }
        String[] f = line.trim().split(" ");
        double[] row = new double[f.length];
        for (int i = 0; i < f.length; i++) {
          row[i] = Double.parseDouble(f[i]);
        }
        rows.add(row);
      }
    }
    table = rows.toArray(new double[0][]);
    assertTrue(table.length > 500);
  }

  private static double[] column(int c) {
    double[] v = new double[table.length];
    for (int i = 0; i < v.length; i++) {
      v[i] = table[i][c];
    }
    return v;
  }

  private static void assertRelative(double[] want, double[] got, double tol, String what) {
    for (int i = 0; i < want.length; i++) {
      double w = want[i];
      double err = w == 0 ? Math.abs(got[i]) : Math.abs(got[i] - w) / Math.abs(w);
      if (!(err <= tol)) {
        fail(what + " at x = " + table[i][X] + ": want " + w + ", got " + got[i] + " (relative error " + err + ")");
      }
    }
  }

  @Test
  void errorFunctionIsAccurateInDouble() {
    double[] erf = new double[table.length];
    double[] erfc = new double[table.length];
    for (int i = 0; i < table.length; i++) {
      erf[i] = ErrorFunction.erf(table[i][X]);
      erfc[i] = ErrorFunction.erfc(table[i][X]);
    }
    assertRelative(column(ERF), erf, 2e-15, "erf");
    assertRelative(column(ERFC), erfc, 1e-13, "erfc");
  }

  @Test
  void errorFunctionFarTailsAndSpecialValues() {
    assertEquals(2.088487583762545e-45, ErrorFunction.erfc(10), 1e-14 * 2.088487583762545e-45);
    assertEquals(5.663192408856143e-296, ErrorFunction.erfc(26), 1e-14 * 5.663192408856143e-296);
    assertEquals(7.357847917974398e-15, ErrorFunction.erfc(5.5), 1e-14 * 7.357847917974398e-15);
    assertEquals(1.9999779095030015, ErrorFunction.erfc(-3), 1e-15);
    assertEquals(1.0262548740643184e-12, ErrorFunction.erf(Math.pow(2, -40)), 1e-27);
    assertEquals(0.0, ErrorFunction.erfc(30));
    assertEquals(1.0, ErrorFunction.erf(Double.POSITIVE_INFINITY));
    assertEquals(-1.0, ErrorFunction.erf(Double.NEGATIVE_INFINITY));
    assertEquals(0.0, ErrorFunction.erfc(Double.POSITIVE_INFINITY));
    assertEquals(2.0, ErrorFunction.erfc(Double.NEGATIVE_INFINITY));
    assertTrue(Double.isNaN(ErrorFunction.erf(Double.NaN)));
    assertTrue(Double.isNaN(ErrorFunction.erfc(Double.NaN)));
    assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(ErrorFunction.erf(-0.0)));
  }

  private static double[] runF32(String op, Attributes attrs) {
    float[] x = new float[table.length];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) table[i][X];
      assertEquals(table[i][X], x[i], "x must be exact in f32");
    }
    Tensor r = OpHarness.run(op, attrs, Tensor.ofFloats(new int[] {x.length}, x));
    double[] out = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = r.floats()[i];
    }
    return out;
  }

  private static double[] runF64(String op, Attributes attrs) {
    Tensor r = OpHarness.run(op, attrs, Tensor.fromDoubles(TensorType.of(ElementType.F64, table.length), column(X)));
    return r.doubles().clone();
  }

  @Test
  void f32KernelsAreWithinOneMillionthOfTheReference() {
    Attributes tanhMode = Attributes.of("approximate", Attribute.of("tanh"));
    assertRelative(column(ERF), runF32("graph.erf", Attributes.EMPTY), 1e-6, "erf");
    assertRelative(column(GELU), runF32("graph.gelu", Attributes.EMPTY), 1e-6, "gelu");
    assertRelative(column(GELU_TANH), runF32("graph.gelu", tanhMode), 1e-6, "gelu tanh");
    assertRelative(column(TANH), runF32("graph.tanh", Attributes.EMPTY), 1e-6, "tanh");
    assertRelative(column(SIGMOID), runF32("graph.sigmoid", Attributes.EMPTY), 1e-6, "sigmoid");
  }

  @Test
  void f64KernelsKeepDoublePrecision() {
    Attributes tanhMode = Attributes.of("approximate", Attribute.of("tanh"));
    assertRelative(column(ERF), runF64("graph.erf", Attributes.EMPTY), 2e-15, "erf");
    assertRelative(column(GELU), runF64("graph.gelu", Attributes.EMPTY), 1e-13, "gelu");
    assertRelative(column(GELU_TANH), runF64("graph.gelu", tanhMode), 1e-13, "gelu tanh");
    assertRelative(column(TANH), runF64("graph.tanh", Attributes.EMPTY), 1e-15, "tanh");
    assertRelative(column(SIGMOID), runF64("graph.sigmoid", Attributes.EMPTY), 1e-15, "sigmoid");
  }

  @Test
  void f16KernelsRoundTheDoubleResult() {
    List<Double> xs = List.of(-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0);
    double[] in = new double[xs.size()];
    for (int i = 0; i < in.length; i++) {
      in[i] = xs.get(i);
    }
    Tensor r = OpHarness.run("graph.gelu", Attributes.EMPTY, Tensor.fromDoubles(TensorType.of(ElementType.F16, in.length), in));
    assertEquals(ElementType.F16, r.elementType());
    for (int i = 0; i < in.length; i++) {
      double want = ActivationOps.gelu(in[i]);
      assertEquals(want, r.getDouble(i), Math.abs(want) * 1e-3 + 1e-7, "gelu f16 at " + in[i]);
    }
  }
}
