package dev.cimc.frontend.onnx;

import static dev.cimc.frontend.onnx.OnnxModels.attr;
import static dev.cimc.frontend.onnx.OnnxModels.floatTensor;
import static dev.cimc.frontend.onnx.OnnxModels.floats;
import static dev.cimc.frontend.onnx.OnnxModels.graph;
import static dev.cimc.frontend.onnx.OnnxModels.importModel;
import static dev.cimc.frontend.onnx.OnnxModels.ints;
import static dev.cimc.frontend.onnx.OnnxModels.longTensor;
import static dev.cimc.frontend.onnx.OnnxModels.model;
import static dev.cimc.frontend.onnx.OnnxModels.node;
import static dev.cimc.frontend.onnx.OnnxModels.run;
import static dev.cimc.frontend.onnx.OnnxModels.tensorAttr;
import static dev.cimc.frontend.onnx.OnnxModels.value;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cimc.frontend.onnx.proto.Onnx;
import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.text.IrPrinter;
import dev.cimc.ir.text.PrintOptions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Ops whose inputs or attributes differ between opsets import to the same graph IR. */
class OnnxOpVersionsTest {
  private static final int F = OnnxModels.FLOAT;

  /** The body lines of the printed graph (without the signature and return lines). */
  private static List<String> body(Graph g) {
    var lines = IrPrinter.toText(g, new PrintOptions(16, false, false)).lines().toList();
    return lines.subList(1, lines.size() - 2).stream().map(String::strip).toList();
  }

  /** A one-node model: input x of the given dims, extra initializers, one node reading x then `inputs`. */
  private static Onnx.ModelProto oneNode(int opset, String op, int[] dims, List<String> inputs, int outputs,
      List<Onnx.TensorProto> inits, Onnx.AttributeProto... attrs) {
    var g = graph().addInput(value("x", F, box(dims)));
    inits.forEach(g::addInitializer);
    var in = new java.util.ArrayList<String>(List.of("x"));
    in.addAll(inputs);
    var out = new java.util.ArrayList<String>();
    for (int i = 0; i < outputs; i++) {
      out.add("y" + i);
      g.addOutput(value("y" + i, 0)); // element type left undefined: these tests check the inferred types
    }
    g.addNode(node(op, "n", in, out, attrs));
    return model(opset, g);
  }

  private static Object[] box(int[] dims) {
    Object[] o = new Object[dims.length];
    for (int i = 0; i < dims.length; i++) {
      o[i] = dims[i];
    }
    return o;
  }

  private static Onnx.TensorProto longs(String name, long... v) {
    return longTensor(name, new int[] {v.length}, v);
  }

  private static Onnx.TensorProto floats1(String name, float... v) {
    return floatTensor(name, new int[] {v.length}, v);
  }

  private static Tensor iota(int... dims) {
    int n = 1;
    for (int d : dims) {
      n *= d;
    }
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = i;
    }
    return Tensor.ofFloats(dims, v);
  }

  // Warnings about declared shapes are irrelevant here: outputs are declared without shapes.

  @Test
  void splitFromAttributeInputOrNumOutputs() {
    String expected = "%y0, %y1 = graph.split(%x) {split = [1, 3]} : tensor<1xf32>, tensor<3xf32>";
    assertEquals(List.of(expected), body(importModel(oneNode(11, "Split", new int[] {4}, List.of(), 2, List.of(),
        ints("split", 1, 3)))));
    assertEquals(List.of(expected), body(importModel(oneNode(13, "Split", new int[] {4}, List.of("s"), 2,
        List.of(longs("s", 1, 3))))));
    assertEquals(List.of("%y0, %y1 = graph.split(%x) {num_outputs = 2} : tensor<3xf32>, tensor<2xf32>"),
        body(importModel(oneNode(18, "Split", new int[] {5}, List.of(), 2, List.of(), attr("num_outputs", 2)))));
    assertEquals(List.of("%y0, %y1 = graph.split(%x) : tensor<2xf32>, tensor<2xf32>"),
        body(importModel(oneNode(13, "Split", new int[] {4}, List.of(), 2, List.of()))));
  }

  @Test
  void sliceFromAttributesOrInputs() {
    assertEquals(List.of("%y0 = graph.slice(%x) {axes = [1], ends = [3], starts = [1]} : tensor<2x2xf32>"),
        body(importModel(oneNode(9, "Slice", new int[] {2, 4}, List.of(), 1, List.of(), ints("starts", 1),
            ints("ends", 3), ints("axes", 1)))));
    assertEquals(List.of("%y0 = graph.slice(%x) {axes = [1], ends = [4], starts = [0], steps = [2]} : tensor<2x2xf32>"),
        body(importModel(oneNode(13, "Slice", new int[] {2, 4}, List.of("s", "e", "a", "st"), 1,
            List.of(longs("s", 0), longs("e", 4), longs("a", 1), longs("st", 2))))));
  }

  @Test
  void squeezeAndUnsqueezeAxesMovedToInputsAt13() {
    String squeeze = "%y0 = graph.squeeze(%x) {axes = [0]} : tensor<3xf32>";
    assertEquals(List.of(squeeze), body(importModel(oneNode(11, "Squeeze", new int[] {1, 3}, List.of(), 1, List.of(),
        ints("axes", 0)))));
    assertEquals(List.of(squeeze), body(importModel(oneNode(13, "Squeeze", new int[] {1, 3}, List.of("a"), 1,
        List.of(longs("a", 0))))));
    assertEquals(List.of("%y0 = graph.squeeze(%x) : tensor<3xf32>"),
        body(importModel(oneNode(13, "Squeeze", new int[] {1, 3}, List.of(), 1, List.of()))));
    String unsqueeze = "%y0 = graph.unsqueeze(%x) {axes = [-1]} : tensor<3x1xf32>";
    assertEquals(List.of(unsqueeze), body(importModel(oneNode(11, "Unsqueeze", new int[] {3}, List.of(), 1, List.of(),
        ints("axes", -1)))));
    assertEquals(List.of(unsqueeze), body(importModel(oneNode(13, "Unsqueeze", new int[] {3}, List.of("a"), 1,
        List.of(longs("a", -1))))));
    var attrAt13 = assertThrows(CimcException.class, () -> importModel(oneNode(13, "Unsqueeze", new int[] {3},
        List.of("a"), 1, List.of(longs("a", 0)), ints("axes", 0))));
    assertEquals("Unsqueeze node 'n' has the attribute 'axes', which opset 13 takes as an input instead",
        attrAt13.getMessage());
  }

  @Test
  void resizeAndUpsample() {
    String asymmetric = "%y0 = graph.resize(%x) {coordinate_transformation_mode = \"asymmetric\", "
        + "nearest_mode = \"floor\", scales = [1.0, 1.0, 2.0, 2.0]} : tensor<1x1x4x4xf32>";
    int[] dims = {1, 1, 2, 2};
    assertEquals(List.of(asymmetric), body(importModel(oneNode(10, "Resize", dims, List.of("s"), 1,
        List.of(floats1("s", 1, 1, 2, 2))))));
    assertEquals(List.of(asymmetric), body(importModel(oneNode(7, "Upsample", dims, List.of(), 1, List.of(),
        OnnxModels.floats("scales", 1, 1, 2, 2)))));
    assertEquals(List.of(asymmetric), body(importModel(oneNode(9, "Upsample", dims, List.of("s"), 1,
        List.of(floats1("s", 1, 1, 2, 2))))));
    assertEquals(List.of("%y0 = graph.resize(%x) {mode = \"linear\", scales = [1.0, 1.0, 2.0, 2.0]} : "
        + "tensor<1x1x4x4xf32>"), body(importModel(oneNode(11, "Resize", dims, List.of("", "s"), 1,
            List.of(floats1("s", 1, 1, 2, 2)), attr("mode", "linear")))));
    assertEquals(List.of("%y0 = graph.resize(%x) {sizes = [1, 1, 3, 3]} : tensor<1x1x3x3xf32>"),
        body(importModel(oneNode(13, "Resize", dims, List.of("", "", "z"), 1, List.of(longs("z", 1, 1, 3, 3))))));
    var cubic = assertThrows(OnnxUnsupportedException.class, () -> importModel(oneNode(13, "Resize", dims,
        List.of("", "s"), 1, List.of(floats1("s", 1, 1, 2, 2)), attr("mode", "cubic"))));
    assertEquals("Resize node 'n' uses cubic interpolation, which cimc does not support", cubic.getMessage());
  }

  @Test
  void clipBoundsFromAttributesOrInputs() {
    Map<String, Tensor> in = Map.of("x", Tensor.ofFloats(new int[] {3}, -5, 0.5f, 5));
    assertArrayEquals(new float[] {-1, 0.5f, 1}, floats(run(oneNode(6, "Clip", new int[] {3}, List.of(), 1, List.of(),
        attr("min", -1.0), attr("max", 1.0)), in).get(0)));
    assertArrayEquals(new float[] {-1, 0.5f, 1}, floats(run(oneNode(11, "Clip", new int[] {3}, List.of("lo", "hi"), 1,
        List.of(floatTensor("lo", new int[0], -1), floatTensor("hi", new int[0], 1))), in).get(0)));
    assertArrayEquals(new float[] {-5, 0.5f, 1}, floats(run(oneNode(13, "Clip", new int[] {3}, List.of("", "hi"), 1,
        List.of(floatTensor("hi", new int[0], 1))), in).get(0)));
  }

  @Test
  void padFromAttributesOrInputs() {
    String expected = "%y0 = graph.pad(%x) {pads = [1, 0], value = 9.0} : tensor<3xf32>";
    assertEquals(List.of(expected), body(importModel(oneNode(2 + 5, "Pad", new int[] {2}, List.of(), 1, List.of(),
        ints("pads", 1, 0), attr("value", 9.0)))));
    assertEquals(List.of(expected), body(importModel(oneNode(11, "Pad", new int[] {2}, List.of("p", "v"), 1,
        List.of(longs("p", 1, 0), floatTensor("v", new int[0], 9))))));
    assertEquals(List.of("%y0 = graph.pad(%x) {axes = [1], mode = \"reflect\", pads = [1, 1]} : tensor<2x4xf32>"),
        body(importModel(oneNode(18, "Pad", new int[] {2, 2}, List.of("p", "", "a"), 1,
            List.of(longs("p", 1, 1), longs("a", 1)), attr("mode", "reflect")))));
  }

  @Test
  void reductionAxesFromAttributesOrInputs() {
    String sum = "%y0 = graph.reduce_sum(%x) {axes = [1], keepdims = 0} : tensor<2xf32>";
    assertEquals(List.of(sum), body(importModel(oneNode(11, "ReduceSum", new int[] {2, 3}, List.of(), 1, List.of(),
        ints("axes", 1), attr("keepdims", 0)))));
    assertEquals(List.of(sum), body(importModel(oneNode(13, "ReduceSum", new int[] {2, 3}, List.of("a"), 1,
        List.of(longs("a", 1)), attr("keepdims", 0)))));
    String mean = "%y0 = graph.reduce_mean(%x) {axes = [1]} : tensor<2x1xf32>";
    assertEquals(List.of(mean), body(importModel(oneNode(17, "ReduceMean", new int[] {2, 3}, List.of(), 1, List.of(),
        ints("axes", 1)))));
    assertEquals(List.of(mean), body(importModel(oneNode(18, "ReduceMean", new int[] {2, 3}, List.of("a"), 1,
        List.of(longs("a", 1))))));
    assertEquals(List.of("%y0 = graph.reduce_max(%x) {noop_with_empty_axes = 1} : tensor<2x3xf32>"),
        body(importModel(oneNode(18, "ReduceMax", new int[] {2, 3}, List.of(), 1, List.of(),
            attr("noop_with_empty_axes", 1)))));
  }

  @Test
  void softmaxBefore13CoercesTo2D() {
    var x = iota(2, 3, 2);
    float[] old = floats(run(oneNode(11, "Softmax", new int[] {2, 3, 2}, List.of(), 1, List.of(), attr("axis", 1)),
        Map.of("x", x)).get(0));
    // Softmax-11 with axis 1 normalizes each batch row over its 3·2 = 6 elements.
    for (int b = 0; b < 2; b++) {
      double sum = 0;
      for (int i = 0; i < 6; i++) {
        sum += Math.exp(i - 5);
      }
      for (int i = 0; i < 6; i++) {
        assertEquals(Math.exp(i - 5) / sum, old[b * 6 + i], 1e-6);
      }
    }
    assertEquals(List.of("%y0_2d = graph.flatten(%x) : tensor<2x6xf32>",
        "%y0_2d_softmax = graph.softmax(%y0_2d) {axis = 1} : tensor<2x6xf32>",
        "%y0 = graph.reshape(%y0_2d_softmax) {shape = [2, 3, 2]} : tensor<2x3x2xf32>"),
        body(importModel(oneNode(11, "Softmax", new int[] {2, 3, 2}, List.of(), 1, List.of(), attr("axis", 1)))));
    assertEquals(List.of("%y0 = graph.log_softmax(%x) : tensor<2x3xf32>"),
        body(importModel(oneNode(11, "LogSoftmax", new int[] {2, 3}, List.of(), 1, List.of()))));
    assertEquals(List.of("%y0 = graph.softmax(%x) {axis = 1} : tensor<2x3x2xf32>"),
        body(importModel(oneNode(13, "Softmax", new int[] {2, 3, 2}, List.of(), 1, List.of(), attr("axis", 1)))));
  }

  @Test
  void batchNormalizationInInferenceOnly() {
    var inits = List.of(floats1("s", 1, 1), floats1("b", 0, 0), floats1("m", 0, 0), floats1("v", 1, 1));
    assertEquals(List.of("%s = const dense<1.0> : tensor<2xf32>", "%b = const dense<0.0> : tensor<2xf32>",
        "%m = const dense<0.0> : tensor<2xf32>", "%v = const dense<1.0> : tensor<2xf32>",
        "%y0 = graph.batch_norm(%x, %s, %b, %m, %v) : tensor<1x2x2xf32>"),
        body(importModel(oneNode(9, "BatchNormalization", new int[] {1, 2, 2}, List.of("s", "b", "m", "v"), 1, inits,
            attr("momentum", 0.9)))));
    var training = assertThrows(OnnxUnsupportedException.class, () -> importModel(oneNode(15, "BatchNormalization",
        new int[] {1, 2, 2}, List.of("s", "b", "m", "v"), 3, inits)));
    assertEquals("BatchNormalization node 'n' asks for its training output 1 ('y1'), which cimc does not support",
        training.getMessage());
    var isTest = assertThrows(OnnxUnsupportedException.class, () -> importModel(oneNode(6, "BatchNormalization",
        new int[] {1, 2, 2}, List.of("s", "b", "m", "v"), 1, inits)));
    assertEquals("BatchNormalization node 'n' runs in training mode, which cimc does not support",
        isTest.getMessage());
  }

  @Test
  void dropoutIsRemovedAndItsMaskIsTrue() {
    var g = importModel(oneNode(13, "Dropout", new int[] {2}, List.of(), 2, List.of()));
    assertEquals(List.of("%y1 = const dense<1> : tensor<2xbool>", "%y0 = graph.identity(%x) : tensor<2xf32>"),
        body(g));
    var training = assertThrows(OnnxUnsupportedException.class, () -> importModel(oneNode(13, "Dropout", new int[] {2},
        List.of("r", "t"), 1, List.of(floatTensor("r", new int[0], 0.5f),
            Onnx.TensorProto.newBuilder().setName("t").setDataType(9).addInt32Data(1).build()))));
    assertEquals("Dropout node 'n' runs in training mode (random dropout), which cimc does not support",
        training.getMessage());
  }

  @Test
  void gemmAndConvolutions() {
    assertEquals(List.of("%w = const dense<1.0> : tensor<3x2xf32>",
        "%y0 = graph.gemm(%x, %w) {alpha = 0.5, trans_b = 1} : tensor<4x3xf32>"),
        body(importModel(oneNode(13, "Gemm", new int[] {4, 2}, List.of("w"), 1,
            List.of(floatTensor("w", new int[] {3, 2}, 1, 1, 1, 1, 1, 1)), attr("alpha", 0.5), attr("transB", 1)))));
    var w1 = floatTensor("w", new int[] {1, 1, 2}, 1, 1);
    assertEquals("%y0 = graph.conv1d(%x, %w) {strides = [2]} : tensor<1x1x2xf32>", body(importModel(oneNode(11,
        "Conv", new int[] {1, 1, 4}, List.of("w"), 1, List.of(w1), ints("strides", 2)))).get(1));
    var w2 = floatTensor("w", new int[] {1, 1, 1, 1}, 1);
    assertEquals("%y0 = graph.conv_transpose2d(%x, %w) {output_padding = [1, 0], strides = [2, 1]} : "
        + "tensor<1x1x4x2xf32>",
        body(importModel(oneNode(11, "ConvTranspose", new int[] {1, 1, 2, 2}, List.of("w"), 1, List.of(w2),
            ints("pads", 0, 0, 0, 0), ints("strides", 2, 1), ints("output_padding", 1, 0)))).get(1));
    var w3 = floatTensor("w", new int[] {1, 1, 1, 1, 1}, 1);
    var e = assertThrows(OnnxUnsupportedException.class, () -> importModel(oneNode(11, "Conv",
        new int[] {1, 1, 2, 2, 2}, List.of("w"), 1, List.of(w3))));
    assertEquals("Conv node 'n' is a 3-D convolution, which cimc does not support", e.getMessage());
    var indices = assertThrows(OnnxUnsupportedException.class, () -> importModel(oneNode(12, "MaxPool",
        new int[] {1, 1, 2, 2}, List.of(), 2, List.of(), ints("kernel_shape", 2, 2))));
    assertEquals("MaxPool node 'n' asks for the Indices output, which cimc does not support", indices.getMessage());
  }

  @Test
  void layerNormalizationStatistics() {
    var out = run(oneNode(17, "LayerNormalization", new int[] {1, 4}, List.of("s"), 3, List.of(floats1("s", 1, 1, 1, 1))),
        Map.of("x", Tensor.ofFloats(new int[] {1, 4}, 1, 2, 3, 4)));
    assertArrayEquals(new float[] {2.5f}, floats(out.get(1)));
    assertEquals(1 / Math.sqrt(1.25 + 1e-5), out.get(2).getDouble(0), 1e-6);
    assertEquals(-1.5 / Math.sqrt(1.25 + 1e-5), out.get(0).getDouble(0), 1e-5);
  }

  @Test
  void castAndConstants() {
    assertEquals(List.of("%y0 = graph.cast(%x) {to = f16} : tensor<2xf16>"),
        body(importModel(oneNode(13, "Cast", new int[] {2}, List.of(), 1, List.of(), attr("to", 10)))));
    var u16 = assertThrows(OnnxUnsupportedException.class,
        () -> importModel(oneNode(13, "Cast", new int[] {2}, List.of(), 1, List.of(), attr("to", 4))));
    assertEquals("Cast node 'n' casts to uint16, an element type cimc does not support", u16.getMessage());
    var g = graph().addNode(node("Constant", List.of(), List.of("a"), attr("value_float", 1.5)))
        .addNode(node("Constant", List.of(), List.of("b"), ints("value_ints", 1, 2)))
        .addNode(node("ConstantOfShape", List.of("b"), List.of("c"), tensorAttr("value",
            OnnxModels.tensor(null, 7, new int[] {1}).addInt64Data(7).build())))
        .addOutput(value("a", F)).addOutput(value("b", 7)).addOutput(value("c", 7));
    assertEquals(List.of("%a = const dense<[1.5]> : tensor<f32>", "%b = const dense<[1, 2]> : tensor<2xi64>",
        "%c = const dense<7> : tensor<1x2xi64>"), body(importModel(model(13, g))));
  }

  @Test
  void shapeStartAndEnd() {
    var g = graph().addInput(value("x", F, 2, 3, 4))
        .addNode(node("Shape", List.of("x"), List.of("s"), attr("start", 1), attr("end", -1)))
        .addNode(node("Size", List.of("x"), List.of("n"))).addOutput(value("s", 7)).addOutput(value("n", 7));
    assertEquals(List.of("%s = const dense<[3]> : tensor<1xi64>", "%n = const dense<[24]> : tensor<i64>"),
        body(importModel(model(15, g))));
  }

  @Test
  void legacyBroadcastBefore7() {
    var m = model(6, graph().addInput(value("a", F, 2, 3, 2)).addInput(value("b", F, 3))
        .addNode(node("Add", List.of("a", "b"), List.of("y"), attr("broadcast", 1), attr("axis", 1)))
        .addOutput(value("y", F, 2, 3, 2)));
    float[] y = floats(run(m, Map.of("a", Tensor.zeros(dev.cimc.ir.type.TensorType.f32(2, 3, 2)),
        "b", Tensor.ofFloats(new int[] {3}, 1, 2, 3))).get(0));
    assertArrayEquals(new float[] {1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3}, y);
    var noBroadcast = model(6, graph().addInput(value("a", F, 2, 3)).addInput(value("b", F, 3))
        .addNode(node("Mul", "m", List.of("a", "b"), List.of("y"))).addOutput(value("y", F, 2, 3)));
    assertEquals("Mul node 'm' combines tensor<2x3xf32> and tensor<3xf32> without broadcast = 1; opset 6 needs equal "
        + "shapes then", assertThrows(CimcException.class, () -> importModel(noBroadcast)).getMessage());
    var legacyAt7 = model(7, graph().addInput(value("a", F, 3)).addInput(value("b", F, 3))
        .addNode(node("Add", "a1", List.of("a", "b"), List.of("y"), attr("broadcast", 1))).addOutput(value("y", F, 3)));
    assertEquals("Add node 'a1' has the attribute 'broadcast', which only opsets before 7 define",
        assertThrows(CimcException.class, () -> importModel(legacyAt7)).getMessage());
  }

  @Test
  void compositions() {
    var x = Tensor.ofFloats(new int[] {2}, 1, 2);
    assertArrayEquals(new float[] {1, 2, 1, 2, 1, 2}, floats(run(oneNode(13, "Tile", new int[] {2}, List.of("r"), 1,
        List.of(longs("r", 3))), Map.of("x", x)).get(0)));
    assertArrayEquals(new float[] {1, 2, 1, 2}, floats(run(oneNode(13, "Expand", new int[] {2}, List.of("s"), 1,
        List.of(longs("s", 2, 1))), Map.of("x", x)).get(0)));
    var neg = Tensor.ofFloats(new int[] {2}, -1, 2);
    float[] elu = floats(run(oneNode(13, "Elu", new int[] {2}, List.of(), 1, List.of(), attr("alpha", 2.0)),
        Map.of("x", neg)).get(0));
    assertEquals(2 * (Math.exp(-1) - 1), elu[0], 1e-6);
    assertEquals(2, elu[1]);
    float[] min = floats(run(oneNode(18, "ReduceMin", new int[] {2}, List.of(), 1, List.of(), attr("keepdims", 0)),
        Map.of("x", neg)).get(0));
    assertArrayEquals(new float[] {-1}, min);
    float[] mean = floats(run(model(13, graph().addInput(value("a", F, 2)).addInput(value("b", F, 2))
        .addNode(node("Mean", List.of("a", "b"), List.of("y"))).addOutput(value("y", F, 2))),
        Map.of("a", x, "b", neg)).get(0));
    assertArrayEquals(new float[] {0, 2}, mean);
  }

  @Test
  void newOpsNeedTheirOpset() {
    var e = assertInstanceOf(OnnxUnsupportedException.class, assertThrows(CimcException.class,
        () -> importModel(oneNode(16, "LayerNormalization", new int[] {2}, List.of("s"), 1,
            List.of(floats1("s", 1, 1))))));
    assertEquals("unsupported ONNX op: LayerNormalization (1 node 'n'; needs opset 17, the model imports opset 16)",
        e.getMessage());
  }
}
