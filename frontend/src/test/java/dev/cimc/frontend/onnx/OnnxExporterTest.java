package dev.cimc.frontend.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.frontend.onnx.proto.Onnx;
import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.diag.Location;
import dev.cimc.ir.dialect.Dialects;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.GraphBuilder;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.op.Dialect;
import dev.cimc.ir.op.OpDef;
import dev.cimc.ir.op.OpRegistry;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.QuantParams;
import dev.cimc.ir.type.Shape;
import dev.cimc.ir.type.TensorType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Structure of exported models: header, initializers, opset 17 operator forms, QDQ, names, errors, bytes. */
class OnnxExporterTest {
  private static final OpRegistry REG = Dialects.standard();

  private static Map<String, Onnx.TensorProto> initializers(Onnx.ModelProto m) {
    var map = new TreeMap<String, Onnx.TensorProto>();
    for (Onnx.TensorProto t : m.getGraph().getInitializerList()) {
      map.put(t.getName(), t);
    }
    return map;
  }

  private static List<String> opTypes(Onnx.ModelProto m) {
    var l = new ArrayList<String>();
    for (Onnx.NodeProto n : m.getGraph().getNodeList()) {
      l.add(n.getOpType());
    }
    return l;
  }

  private static Onnx.NodeProto node(Onnx.ModelProto m, String opType) {
    for (Onnx.NodeProto n : m.getGraph().getNodeList()) {
      if (n.getOpType().equals(opType)) {
        return n;
      }
    }
    throw new AssertionError("no " + opType + " node in " + opTypes(m));
  }

  private static Onnx.AttributeProto attr(Onnx.NodeProto n, String name) {
    for (Onnx.AttributeProto a : n.getAttributeList()) {
      if (a.getName().equals(name)) {
        return a;
      }
    }
    return null;
  }

  private static long[] int64s(Onnx.TensorProto t) {
    assertEquals(Onnx.TensorProto.DataType.INT64_VALUE, t.getDataType());
    var buf = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asLongBuffer();
    long[] out = new long[buf.remaining()];
    buf.get(out);
    return out;
  }

  private static Graph mlp() {
    var b = new GraphBuilder("mlp", REG);
    Value x = b.input("x", TensorType.f32(1, 4));
    Value w = b.constant("w", Tensor.ofFloats(new int[] {4, 2}, 1, 2, 3, 4, 5, 6, 7, 8));
    Value h = b.named("h", "graph.matmul", Attributes.EMPTY, x, w);
    Value y = b.named("y", "graph.relu", Attributes.EMPTY, h);
    return b.output(y).build();
  }

  @Test
  void headerGraphAndInitializers() {
    Onnx.ModelProto m = OnnxExporter.toModelProto(mlp());
    assertEquals(8, m.getIrVersion());
    assertEquals(1, m.getOpsetImportCount());
    assertEquals("", m.getOpsetImport(0).getDomain());
    assertEquals(17, m.getOpsetImport(0).getVersion());
    assertEquals("cimc", m.getProducerName());
    assertEquals("mlp", m.getGraph().getName());
    assertEquals(List.of("MatMul", "Relu"), opTypes(m));
    assertEquals("x", m.getGraph().getInput(0).getName());
    var inType = m.getGraph().getInput(0).getType().getTensorType();
    assertEquals(Onnx.TensorProto.DataType.FLOAT_VALUE, inType.getElemType());
    assertEquals(2, inType.getShape().getDimCount());
    assertEquals(4, inType.getShape().getDim(1).getDimValue());
    assertEquals("y", m.getGraph().getOutput(0).getName());
    Onnx.TensorProto w = initializers(m).get("w");
    assertEquals(List.of(4L, 2L), w.getDimsList());
    assertEquals(0, w.getFloatDataCount(), "elements go to raw_data");
    ByteBuffer raw = w.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(3f, raw.getFloat(8));
    assertEquals(List.of("x", "w"), node(m, "MatMul").getInputList());
    assertEquals(List.of("h"), node(m, "MatMul").getOutputList());
  }

  @Test
  void sameGraphGivesSameBytes() {
    assertArrayEquals(OnnxExporter.toBytes(mlp()), OnnxExporter.toBytes(mlp()));
    Graph g = mlp();
    assertArrayEquals(OnnxExporter.toBytes(g), OnnxExporter.toBytes(g.copy()));
  }

  @Test
  void writesTheFileAtomically(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("m.onnx");
    OnnxExporter.export(mlp(), f);
    assertArrayEquals(OnnxExporter.toBytes(mlp()), Files.readAllBytes(f));
    try (var files = Files.list(dir)) {
      assertEquals(1, files.count(), "no temporary file left behind");
    }
    var e = assertThrows(CimcException.class, () -> OnnxExporter.export(mlp(), dir.resolve("no/such/m.onnx")));
    assertTrue(e.getMessage().startsWith("cannot write"), e.getMessage());
  }

  @Test
  void attributesThatBecomeInputsInOpset17() {
    var b = new GraphBuilder("g", REG);
    Value x = b.input("x", TensorType.f32(1, 2, 4, 6));
    Value r = b.named("r", "graph.reshape", Attributes.of("shape", Attribute.ints(2, -1)), x);
    Value s = b.named("s", "graph.slice", Attributes.of("starts", Attribute.ints(1), "ends", Attribute.ints(-1),
        "steps", Attribute.ints(2)), x);
    Value c = b.named("c", "graph.clip", Attributes.of("max", Attribute.of(6.0)), x);
    Value p = b.named("p", "graph.pad", Attributes.of("pads", Attribute.ints(1, 2), "axes", Attribute.ints(3)), x);
    Value sum = b.named("sum", "graph.reduce_sum", Attributes.of("axes", Attribute.ints(1)), x);
    Value mean = b.named("mean", "graph.reduce_mean", Attributes.of("axes", Attribute.ints(1)), x);
    Value u = b.named("u", "graph.unsqueeze", Attributes.of("axes", Attribute.ints(0)), x);
    Value z = b.named("z", "graph.resize", Attributes.of("scales", Attribute.floats(2, 2), "axes", Attribute.ints(2, 3)), x);
    Onnx.ModelProto m = OnnxExporter.toModelProto(b.output(r, s, c, p, sum, mean, u, z).build());
    var init = initializers(m);

    assertEquals(List.of("x", "r_shape"), node(m, "Reshape").getInputList());
    assertArrayEquals(new long[] {2, -1}, int64s(init.get("r_shape")));
    // Slice without axes but with steps leaves the axes input empty.
    assertEquals(List.of("x", "s_starts", "s_ends", "", "s_steps"), node(m, "Slice").getInputList());
    // Clip: min omitted, max as a scalar of the operand's type.
    assertEquals(List.of("x", "", "c_max"), node(m, "Clip").getInputList());
    assertEquals(0, init.get("c_max").getDimsCount());
    // Pad: the opset 18 axes subset is expanded to begin/end pads over all four axes.
    assertArrayEquals(new long[] {0, 0, 0, 1, 0, 0, 0, 2}, int64s(init.get("p_pads")));
    assertEquals("constant", attr(node(m, "Pad"), "mode").getS().toStringUtf8());
    // ReduceSum-13 takes axes as an input, ReduceMean-13 as an attribute.
    assertEquals(List.of("x", "sum_axes"), node(m, "ReduceSum").getInputList());
    assertEquals(List.of("x"), node(m, "ReduceMean").getInputList());
    assertEquals(List.of(1L), attr(node(m, "ReduceMean"), "axes").getIntsList());
    assertEquals(List.of("x", "u_axes"), node(m, "Unsqueeze").getInputList());
    // Resize-13: empty roi, scales over every axis.
    Onnx.NodeProto resize = node(m, "Resize");
    assertEquals(List.of("x", "", "z_scales"), resize.getInputList());
    var scales = init.get("z_scales").getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
    float[] sc = new float[4];
    scales.get(sc);
    assertArrayEquals(new float[] {1, 1, 2, 2}, sc);
    assertEquals("half_pixel", attr(resize, "coordinate_transformation_mode").getS().toStringUtf8());
  }

  @Test
  void convWritesPadsOrAutoPadNeverBoth() {
    var b = new GraphBuilder("g", REG);
    Value x = b.input("x", TensorType.f32(1, 2, 5, 5));
    Value w = b.constant("w", Tensor.zeros(TensorType.f32(3, 2, 3, 3)));
    Value c1 = b.op("graph.conv2d", Attributes.of("pads", Attribute.ints(1, 1, 1, 1)), x, w);
    Value c2 = b.op("graph.conv2d", Attributes.of("auto_pad", Attribute.of("SAME_UPPER")), x, w);
    Onnx.ModelProto m = OnnxExporter.toModelProto(b.output(c1, c2).build());
    Onnx.NodeProto first = m.getGraph().getNode(0);
    Onnx.NodeProto second = m.getGraph().getNode(1);
    assertEquals(List.of(1L, 1L, 1L, 1L), attr(first, "pads").getIntsList());
    assertEquals(null, attr(first, "auto_pad"));
    assertEquals(List.of(1L, 1L), attr(first, "strides").getIntsList());
    assertEquals(1L, attr(first, "group").getI());
    assertEquals("SAME_UPPER", attr(second, "auto_pad").getS().toStringUtf8());
    assertEquals(null, attr(second, "pads"));
  }

  @Test
  void geluIsWrittenAsItsFormula() {
    var b = new GraphBuilder("g", REG);
    Value y = b.named("y", "graph.gelu", Attributes.EMPTY, b.input("x", TensorType.f32(4)));
    Onnx.ModelProto m = OnnxExporter.toModelProto(b.output(y).build());
    assertEquals(List.of("Div", "Erf", "Add", "Mul", "Mul"), opTypes(m));
    assertEquals(List.of("y"), m.getGraph().getNode(4).getOutputList());
  }

  private static Value quantize(GraphBuilder b, Value x, TensorType to) {
    return b.node(REG.get("q.quantize"), List.of(x), Attributes.EMPTY, List.of(to), List.of(x.name() + "_q")).result();
  }

  @Test
  void quantizedGraphIsQdq() {
    var b = new GraphBuilder("qdq", REG);
    Value x = b.input("x", TensorType.f32(1, 3, 4, 4));
    Value qx = quantize(b, x, new TensorType(ElementType.U8, Shape.of(1, 3, 4, 4), QuantParams.perTensor(0.5, 128)));
    Value dx = b.named("dx", "q.dequantize", Attributes.EMPTY, qx);
    var wType = new TensorType(ElementType.I8, Shape.of(2, 3, 1, 1),
        QuantParams.perAxis(0, new double[] {0.25, 0.125}, new long[] {0, 0}));
    Value wq = b.constant("w_q", Tensor.fromLongs(wType, new long[] {1, -2, 3, -4, 5, -128}));
    Value w = b.named("w", "q.dequantize", Attributes.EMPTY, wq);
    Value y = b.named("y", "graph.conv2d", Attributes.EMPTY, dx, w);
    Onnx.ModelProto m = OnnxExporter.toModelProto(b.output(y).build());
    assertEquals(List.of("QuantizeLinear", "DequantizeLinear", "DequantizeLinear", "Conv"), opTypes(m));
    var init = initializers(m);

    Onnx.NodeProto q = m.getGraph().getNode(0);
    assertEquals(List.of("x", "x_q_scale", "x_q_zero_point"), q.getInputList());
    assertEquals(List.of("x_q"), q.getOutputList());
    assertEquals(null, attr(q, "axis"), "per tensor: no axis");
    assertEquals(0, init.get("x_q_scale").getDimsCount(), "per tensor: rank-0 scale");
    assertEquals(Onnx.TensorProto.DataType.FLOAT_VALUE, init.get("x_q_scale").getDataType());
    assertEquals(Onnx.TensorProto.DataType.UINT8_VALUE, init.get("x_q_zero_point").getDataType());
    assertEquals((byte) 128, init.get("x_q_zero_point").getRawData().byteAt(0));
    // The dequantize of the activation reuses the same parameter initializers.
    assertEquals(List.of("x_q", "x_q_scale", "x_q_zero_point"), m.getGraph().getNode(1).getInputList());

    Onnx.NodeProto dw = m.getGraph().getNode(2);
    assertEquals(List.of("w_q", "w_q_scale", "w_q_zero_point"), dw.getInputList());
    assertEquals(0L, attr(dw, "axis").getI());
    assertEquals(List.of(2L), init.get("w_q_scale").getDimsList());
    assertEquals(Onnx.TensorProto.DataType.INT8_VALUE, init.get("w_q").getDataType());
    assertEquals(Onnx.TensorProto.DataType.INT8_VALUE, init.get("w_q_zero_point").getDataType());
    assertEquals((byte) -128, init.get("w_q").getRawData().byteAt(5));
    assertEquals(List.of(2L), init.get("w_q_zero_point").getDimsList());
  }

  @Test
  void subByteQuantizeClampsInAnEightBitContainer() {
    var b = new GraphBuilder("q4", REG);
    Value x = b.input("x", TensorType.f32(8));
    Value q = quantize(b, x, new TensorType(ElementType.I4, Shape.of(8), QuantParams.perTensor(0.25, 0)));
    Onnx.ModelProto m = OnnxExporter.toModelProto(b.output(q).build());
    assertEquals(List.of("QuantizeLinear", "Clip"), opTypes(m));
    Onnx.NodeProto clip = m.getGraph().getNode(1);
    var init = initializers(m);
    assertEquals(-8, init.get(clip.getInput(1)).getRawData().byteAt(0));
    assertEquals(7, init.get(clip.getInput(2)).getRawData().byteAt(0));
    assertEquals(List.of("x_q"), clip.getOutputList());
    assertEquals(Onnx.TensorProto.DataType.INT8_VALUE, m.getGraph().getOutput(0).getType().getTensorType().getElemType());
  }

  @Test
  void namesStayAndInventedNamesAvoidThem() {
    var b = new GraphBuilder("g", REG);
    Value x = b.input("x", TensorType.f32(2, 3));
    // A value already called like the shape initializer the reshape would get.
    Value taken = b.named("y_shape", "graph.relu", Attributes.EMPTY, x);
    Value y = b.named("y", "graph.reshape", Attributes.of("shape", Attribute.ints(6)), taken);
    Onnx.ModelProto m = OnnxExporter.toModelProto(b.output(y).build());
    assertEquals(List.of("y_shape", "y_shape_1"), node(m, "Reshape").getInputList());
    assertTrue(initializers(m).containsKey("y_shape_1"));
  }

  @Test
  void nodeNamesComeFromImportedLocations() {
    var b = new GraphBuilder("g", REG);
    Value x = b.input("x", TensorType.f32(2));
    b.at(new Location.Named("m.onnx", "Relu_7"));
    Value r1 = b.op("graph.relu", x);
    Value r2 = b.op("graph.relu", r1);
    b.at(Location.UNKNOWN);
    Value r3 = b.op("graph.neg", r2);
    Onnx.ModelProto m = OnnxExporter.toModelProto(b.output(r3).build());
    assertEquals("Relu_7", m.getGraph().getNode(0).getName());
    assertEquals("Relu_7_1", m.getGraph().getNode(1).getName());
    assertFalse(m.getGraph().getNode(2).getName().isEmpty());
  }

  @Test
  void repeatedAndConstantOutputsAreProduced() {
    var b = new GraphBuilder("g", REG);
    Value x = b.input("x", TensorType.f32(2));
    Value k = b.constant("k", Tensor.ofFloats(new int[] {2}, 1f, 2f));
    Value s = b.named("s", "graph.add", Attributes.EMPTY, x, k);
    Onnx.ModelProto m = OnnxExporter.toModelProto(b.output(s, s, k).build());
    assertEquals(List.of("Constant", "Add", "Identity"), opTypes(m));
    var outs = new ArrayList<String>();
    m.getGraph().getOutputList().forEach(o -> outs.add(o.getName()));
    assertEquals(List.of("s", "s_1", "k"), outs);
    assertTrue(initializers(m).isEmpty(), "k is produced by a Constant node");
  }

  @Test
  void unsupportedNodesAreListedInOneError() {
    OpDef custom = OpDef.builder("test", "mystery").operands("x").infer(ctx -> List.of(ctx.operand(0))).build();
    var reg = OpRegistry.of(List.of(dev.cimc.ir.dialect.Builtin.dialect(),
        dev.cimc.ir.dialect.graph.GraphDialect.create(), dev.cimc.ir.dialect.q.QDialect.create(),
        new Dialect("test", "test ops", List.of(custom))));
    var b = new GraphBuilder("bad", reg);
    Value x = b.input("x", TensorType.f32(1, 2, 4, 4));
    b.at(new Location.Named("m.onnx", "Mystery_1"));
    Value a = b.named("a", "test.mystery", Attributes.EMPTY, x);
    b.at(Location.UNKNOWN);
    Value p = b.named("p", "graph.pad", Attributes.of("pads", Attribute.ints(0, 0, 1, 1, 0, 0, 1, 1),
        "mode", Attribute.of("wrap")), a);
    Value r = b.named("r", "graph.resize", Attributes.of("sizes", Attribute.ints(2, 2), "axes", Attribute.ints(2, 3),
        "keep_aspect_ratio_policy", Attribute.of("not_larger")), p);
    Value q = b.node(reg.get("q.quantize"), List.of(r), Attributes.EMPTY,
        List.of(new TensorType(ElementType.I16, r.type().shape(), QuantParams.perTensor(1, 0))), List.of("q")).result();
    var e = assertThrows(CimcException.class, () -> OnnxExporter.toModelProto(b.output(q).build()));
    assertEquals("cannot export @bad to ONNX opset 17: 4 nodes have no ONNX form", e.getMessage());
    assertEquals(String.join("\n",
        "  %a = test.mystery: no ONNX form (m.onnx: node 'Mystery_1')",
        "  %p = graph.pad: Pad mode 'wrap' arrived in opset 19",
        "  %r = graph.resize: keep_aspect_ratio_policy 'not_larger' arrived in opset 18",
        "  %q = q.quantize: QuantizeLinear in opset 17 takes int8 or uint8 values, not i16"), e.detail());
    assertEquals(new Location.Named("m.onnx", "Mystery_1"), e.location());
  }

  @Test
  void everyGraphAndQOpHasAForm() {
    var missing = new ArrayList<String>();
    var forms = new java.util.HashSet<String>();
    ExportForms.names().forEach(forms::add);
    for (String op : REG.names()) {
      if ((op.startsWith("graph.") || op.startsWith("q.")) && !forms.contains(op)) {
        missing.add(op);
      }
    }
    assertEquals(List.of(), missing);
  }
}
