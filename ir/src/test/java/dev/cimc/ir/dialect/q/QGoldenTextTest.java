package dev.cimc.ir.dialect.q;

import static dev.cimc.ir.dialect.q.QOps.perAxis;
import static dev.cimc.ir.dialect.q.QOps.perTensor;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.GraphBuilder;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.quant.FixedPointMultiplier;
import dev.cimc.ir.text.IrPrinter;
import dev.cimc.ir.text.PrintOptions;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.TensorType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The golden text file of every integer q op ({@code text/golden/<op>.cir}) is what the printer gives for
 * the same graph built in code. Run with {@code -Dcimc.golden.write=true} to (re)write the files.
 */
class QGoldenTextTest {
  private static final ElementType U8 = ElementType.U8;
  private static final ElementType I8 = ElementType.I8;
  private static final ElementType I32 = ElementType.I32;

  static Map<String, Supplier<Graph>> graphs() {
    var m = new LinkedHashMap<String, Supplier<Graph>>();
    m.put("q.qconv2d", () -> {
      var b = new GraphBuilder("qconv2d", QOps.R);
      Value x = b.input("x", perTensor(U8, 0.25, 128, 1, 4, 5, 5));
      Value w = b.input("w", perAxis(I8, 0, new double[] {0.5, 0.25, 0.125, 0.0625}, 4, 2, 3, 3));
      Value bias = b.input("bias", perAxis(I32, 0, new double[] {0.125, 0.0625, 0.03125, 0.015625}, 4));
      b.output(b.op("q.qconv2d", Attributes.of("group", Attribute.of(2L), "pads", Attribute.ints(1, 1, 1, 1),
          "strides", Attribute.ints(2, 2)), x, w, bias));
      b.output(b.op("q.qconv2d", Attributes.of("auto_pad", Attribute.of("SAME_UPPER"), "group", Attribute.of(2L)), x, w));
      return b.build();
    });
    m.put("q.qgemm", () -> {
      var b = new GraphBuilder("qgemm", QOps.R);
      Value a = b.input("a", perTensor(U8, 0.25, 10, 2, 3));
      Value w = b.input("w", perAxis(I8, 1, new double[] {0.5, 0.25}, 3, 2));
      Value wt = b.input("wt", perTensor(I8, 0.5, 0, 2, 3));
      Value bias = b.input("bias", perAxis(I32, 0, new double[] {0.125, 0.0625}, 2));
      b.output(b.op("q.qgemm", a, w, bias));
      b.output(b.op("q.qgemm", Attributes.of("trans_b", Attribute.of(1L)), a, wt));
      return b.build();
    });
    m.put("q.qmatmul", () -> {
      var b = new GraphBuilder("qmatmul", QOps.R);
      Value a = b.input("a", perTensor(U8, 0.5, 3, 2, 3, 4));
      Value k = b.input("k", perTensor(I8, 0.25, 0, 2, 4, 5));
      Value w = b.input("w", perTensor(U8, 0.25, 7, 4, 2));
      b.output(b.op("q.qmatmul", a, k));
      b.output(b.op("q.qmatmul", a, w));
      return b.build();
    });
    m.put("q.requantize", () -> {
      var b = new GraphBuilder("requantize", QOps.R);
      Value acc = b.input("acc", perAxis(I32, 1, new double[] {0.0078125, 0.001}, 1, 2, 3));
      TensorType out = perTensor(U8, 0.05, 3, 1, 2, 3);
      FixedPointMultiplier m0 = FixedPointMultiplier.of(0.0078125 / 0.05);
      FixedPointMultiplier m1 = FixedPointMultiplier.of(0.001 / 0.05);
      b.output(declared(b, "q.requantize", Attributes.of("multiplier", Attribute.ints(m0.multiplier(), m1.multiplier()),
          "shift", Attribute.ints(m0.shift(), m1.shift())), out, acc));
      Value acc2 = b.input("acc2", perTensor(I32, 0.25, 0, 4));
      b.output(declared(b, "q.requantize", Attributes.of("multiplier", Attribute.ints(1 << 30), "shift",
          Attribute.ints(-2)), perTensor(I8, 0.125, 0, 4), acc2));
      // clamped: a fused relu6 whose bounds are the codes 10 (real 0) and 58 (real 6)
      b.output(declared(b, "q.requantize", Attributes.of("multiplier", Attribute.ints(1 << 30), "shift",
          Attribute.ints(-2), "min", Attribute.of(10L), "max", Attribute.of(58L)), perTensor(U8, 0.125, 10, 4), acc2));
      return b.build();
    });
    m.put("q.log2_expand", () -> {
      var b = new GraphBuilder("log2_expand", QOps.R);
      TensorType t = perAxis(I8, 0, new double[] {0.015625, 0.5}, 2, 3);
      Value c = b.input("c", t);
      b.output(declared(b, "q.log2_expand", Attributes.of("bits", Attribute.of(4L)), t, c));
      return b.build();
    });
    m.put("q.qadd", () -> {
      var b = new GraphBuilder("qadd", QOps.R);
      Value x = b.input("x", perTensor(U8, 0.1, 128, 2, 3));
      Value y = b.input("y", perTensor(U8, 0.05, 0, 3));
      TensorType out = perTensor(U8, 0.2, 64, 2, 3);
      b.output(declared(b, "q.qadd", Attributes.of("multipliers", Attribute.ints(1073741824, 536870912),
          "shift", Attribute.of(31L)), out, x, y));
      return b.build();
    });
    for (String op : List.of("min", "max")) {
      m.put("q." + op, () -> {
        var b = new GraphBuilder(op, QOps.R);
        Value x = b.input("x", perTensor(U8, 0.5, 3, 1, 2, 2));
        Value bound = b.input("b", perTensor(U8, 0.5, 3, 2, 1));
        b.output(b.op("q." + op, x, bound));
        return b.build();
      });
    }
    m.put("q.relu", () -> {
      var b = new GraphBuilder("relu", QOps.R);
      Value x = b.input("x", perTensor(U8, 0.1, 128, 2, 3));
      b.output(b.op("q.relu", x));
      return b.build();
    });
    m.put("q.clip", () -> {
      var b = new GraphBuilder("clip", QOps.R);
      Value x = b.input("x", perTensor(U8, 0.05, 100, 2, 3));
      b.output(b.op("q.clip", Attributes.of("max", Attribute.of(220L), "min", Attribute.of(100L)), x));
      return b.build();
    });
    m.put("q.lut", () -> {
      var b = new GraphBuilder("lut", QOps.R);
      Value x = b.input("x", perTensor(ElementType.U4, 0.5, 8, 4));
      long[] table = new long[16];
      for (int i = 0; i < 16; i++) {
        table[i] = Math.round(255 / (1 + Math.exp(-0.5 * (i - 8))));
      }
      b.output(declared(b, "q.lut", Attributes.of("function", Attribute.of("sigmoid"), "table", Attribute.ints(table)),
          perTensor(U8, 1.0 / 255, 0, 4), x));
      return b.build();
    });
    m.put("q.max_pool", () -> {
      var b = new GraphBuilder("max_pool", QOps.R);
      Value x = b.input("x", perTensor(U8, 0.1, 5, 1, 2, 4, 4));
      b.output(b.op("q.max_pool", Attributes.of("kernel_shape", Attribute.ints(2, 2), "strides", Attribute.ints(2, 2)), x));
      b.output(b.op("q.max_pool", Attributes.of("kernel_shape", Attribute.ints(3, 3), "pads", Attribute.ints(1, 1, 1, 1)), x));
      return b.build();
    });
    m.put("q.average_pool", () -> {
      var b = new GraphBuilder("average_pool", QOps.R);
      Value x = b.input("x", perTensor(U8, 0.1, 5, 1, 2, 4, 4));
      b.output(declared(b, "q.average_pool", Attributes.of("count_include_pad", Attribute.of(1L), "kernel_shape",
          Attribute.ints(3, 3), "pads", Attribute.ints(1, 1, 1, 1), "strides", Attribute.ints(2, 2)),
          perTensor(U8, 0.05, 10, 1, 2, 2, 2), x));
      b.output(declared(b, "q.average_pool", Attributes.of("kernel_shape", Attribute.ints(4, 4)),
          perTensor(U8, 0.1, 5, 1, 2, 1, 1), x));
      return b.build();
    });
    m.put("q.softmax", () -> {
      var b = new GraphBuilder("softmax", QOps.R);
      Value x = b.input("x", perTensor(ElementType.U4, 0.5, 0, 2, 5));
      long[] table = new long[16];
      for (int d = 0; d < 16; d++) {
        table[d] = Math.round(0x1p24 * StrictMath.exp(-0.5 * d));
      }
      b.output(declared(b, "q.softmax", Attributes.of("exp_table", Attribute.ints(table), "multiplier",
          Attribute.of((1L << 24) * 255)), perTensor(U8, 1.0 / 255, 0, 2, 5), x));
      return b.build();
    });
    m.put("q.layer_norm", () -> {
      var b = new GraphBuilder("layer_norm", QOps.R);
      Value x = b.input("x", perTensor(U8, 0.1, 128, 2, 4));
      b.output(declared(b, "q.layer_norm", Attributes.of("beta", Attribute.ints(0, 16384, -16384, 0), "epsilon",
          Attribute.of(16L), "gamma", Attribute.ints(1, 2, 1, 2), "shift", Attribute.of(2L)),
          perTensor(U8, 0.25, 128, 2, 4), x));
      return b.build();
    });
    return m;
  }

  private static Value declared(GraphBuilder b, String op, Attributes attrs, TensorType type, Value... operands) {
    return b.node(QOps.R.get(op), List.of(operands), attrs, List.of(type), null).result();
  }

  @TestFactory
  Stream<DynamicTest> goldenFilesAreThePrinterOutput() {
    return graphs().entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey(), () -> {
      String text = IrPrinter.toText(e.getValue().get(), PrintOptions.defaults());
      if (Boolean.getBoolean("cimc.golden.write")) {
        Path p = Path.of("src/test/resources/text/golden/" + e.getKey() + ".cir");
        Files.writeString(p, text, StandardCharsets.UTF_8);
      }
      assertEquals(read(e.getKey()), text);
    }));
  }

  private static String read(String op) throws IOException {
    try (InputStream in = QGoldenTextTest.class.getResourceAsStream("/text/golden/" + op + ".cir")) {
      return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
