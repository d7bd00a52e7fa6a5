package dev.cimc.frontend.onnx;

import static dev.cimc.frontend.onnx.OnnxModels.attr;
import static dev.cimc.frontend.onnx.OnnxModels.floatTensor;
import static dev.cimc.frontend.onnx.OnnxModels.graph;
import static dev.cimc.frontend.onnx.OnnxModels.importModel;
import static dev.cimc.frontend.onnx.OnnxModels.ints;
import static dev.cimc.frontend.onnx.OnnxModels.longTensor;
import static dev.cimc.frontend.onnx.OnnxModels.model;
import static dev.cimc.frontend.onnx.OnnxModels.node;
import static dev.cimc.frontend.onnx.OnnxModels.run;
import static dev.cimc.frontend.onnx.OnnxModels.value;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.frontend.onnx.proto.Onnx;
import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.diag.Location;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.text.IrPrinter;
import dev.cimc.ir.text.PrintOptions;
import dev.cimc.ir.type.TensorType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The importer's structure handling: names, locations, inputs, outputs, folding, pruning and its errors. */
class OnnxImporterTest {
  private static final int F = OnnxModels.FLOAT;

  private static String print(Graph g) {
    return IrPrinter.toText(g, new PrintOptions(16, false, false));
  }

  private static CimcException fails(Onnx.ModelProto m) {
    return assertThrows(CimcException.class, () -> importModel(m));
  }

  private static Onnx.ModelProto relu(int opset) {
    return model(opset, graph().addInput(value("x", F, 2)).addNode(node("Relu", "r", List.of("x"), List.of("y")))
        .addOutput(value("y", F, 2)));
  }

  @Test
  void keepsOnnxNamesAndNodeLocations() {
    var m = model(13, graph().setName("net").addInput(value("in:0", F, 1, 4))
        .addInitializer(floatTensor("fc/w", new int[] {4, 2}, 1, 2, 3, 4, 5, 6, 7, 8))
        .addNode(node("MatMul", "fc", List.of("in:0", "fc/w"), List.of("fc_out")))
        .addNode(node("Relu", List.of("fc_out"), List.of("out")))
        .addOutput(value("out", F, 1, 2)));
    Graph g = importModel(m);
    assertEquals("""
        graph @net(%"in:0": tensor<1x4xf32>) -> tensor<1x2xf32> {
          %"fc/w" = const dense<[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]> : tensor<4x2xf32>
          %fc_out = graph.matmul(%"in:0", %"fc/w") : tensor<1x2xf32>
          %out = graph.relu(%fc_out) : tensor<1x2xf32>
          return %out
        }
        """, print(g));
    List<Node> nodes = g.nodes();
    assertEquals(new Location.Named("test.onnx", "fc"), nodes.get(1).location());
    assertEquals(new Location.Named("test.onnx", "<Relu #1>"), nodes.get(2).location());
  }

  @Test
  void unusedInitializersLeaveNoNode() {
    var m = model(13, graph().addInput(value("x", F, 2))
        .addInitializer(floatTensor("unused", new int[] {2}, 1, 2))
        .addInitializer(longTensor("shape", new int[] {2}, 1, 2))
        .addNode(node("Reshape", List.of("x", "shape"), List.of("y"))).addOutput(value("y", F, 1, 2)));
    assertEquals("""
        graph @g(%x: tensor<2xf32>) -> tensor<1x2xf32> {
          %y = graph.reshape(%x) {shape = [1, 2]} : tensor<1x2xf32>
          return %y
        }
        """, print(importModel(m)));
  }

  @Test
  void graphInputsThatAreInitializersAreConstants() {
    var m = model(13, graph().addInput(value("x", F, 2)).addInput(value("b", F, 2))
        .addInitializer(floatTensor("b", new int[] {2}, 10, 20))
        .addNode(node("Add", List.of("x", "b"), List.of("y"))).addOutput(value("y", F, 2)));
    Graph g = importModel(m);
    assertEquals(1, g.inputs().size());
    assertArrayEquals(new float[] {11, 22}, run(m, Map.of("x", Tensor.ofFloats(new int[] {2}, 1, 2))).get(0).floats());
  }

  /** The shape arithmetic PyTorch emits for x.view(x.size(0), -1) folds away during import. */
  @Test
  void foldsShapeSubgraphsIntoAttributes() {
    var m = model(13, graph().addInput(value("x", F, "N", 3, 4))
        .addInitializer(longTensor("zero", new int[0], 0))
        .addInitializer(longTensor("minus1", new int[] {1}, -1))
        .addInitializer(longTensor("axes0", new int[] {1}, 0))
        .addNode(node("Shape", List.of("x"), List.of("s")))
        .addNode(node("Gather", List.of("s", "zero"), List.of("n")))
        .addNode(node("Unsqueeze", List.of("n", "axes0"), List.of("n1")))
        .addNode(node("Concat", List.of("n1", "minus1"), List.of("shape"), attr("axis", 0)))
        .addNode(node("Reshape", List.of("x", "shape"), List.of("y")))
        .addOutput(value("y", F, "N", 12)));
    var warnings = new ArrayList<String>();
    Graph g = importModel(m, ImportOptions.defaults().withInputShape("x", 5, 3, 4).withWarnings(warnings::add));
    assertEquals("""
        graph @g(%x: tensor<5x3x4xf32>) -> tensor<5x12xf32> {
          %y = graph.reshape(%x) {shape = [5, -1]} : tensor<5x12xf32>
          return %y
        }
        """, print(g));
    assertEquals(List.of(), warnings);
  }

  @Test
  void dynamicDimensionsDefaultToOneWithAWarning() {
    var m = model(13, graph().addInput(value("x", F, "batch", 3, null))
        .addNode(node("Relu", List.of("x"), List.of("y"))).addOutput(value("y", F, "batch", 3, null)));
    var warnings = new ArrayList<String>();
    Graph g = importModel(m, ImportOptions.defaults().withWarnings(warnings::add));
    assertEquals(TensorType.f32(1, 3, 1), g.input(0).type());
    assertEquals(List.of("dynamic dimension 'batch' of input 'x' defaulted to 1",
        "dynamic dimension 2 of input 'x' defaulted to 1"), warnings);
  }

  @Test
  void inputShapeBindingsAreChecked() {
    var m = model(13, graph().addInput(value("x", F, "N", 3))
        .addNode(node("Relu", List.of("x"), List.of("y"))).addOutput(value("y", F, "N", 3)));
    assertEquals(TensorType.f32(8, 3), importModel(m, ImportOptions.defaults().withInputShape("x", 8, 3)).input(0).type());
    var rank = assertThrows(CimcException.class, () -> importModel(m, ImportOptions.defaults().withInputShape("x", 8)));
    assertEquals("the shape given for input 'x' has rank 1, but the model declares rank 2", rank.getMessage());
    var fixed = assertThrows(CimcException.class,
        () -> importModel(m, ImportOptions.defaults().withInputShape("x", 8, 4)));
    assertEquals("the shape given for input 'x' has 4 in dimension 1, but the model fixes it to 3", fixed.getMessage());
    var unknown = assertThrows(CimcException.class,
        () -> importModel(m, ImportOptions.defaults().withInputShape("z", 1)));
    assertEquals("an input shape is given for 'z', which is not an input of the model", unknown.getMessage());
    assertEquals("the model's inputs are: x: tensor<1x3xf32>", unknown.hint());
  }

  @Test
  void constantInputsBecomeConstants() {
    var m = model(13, graph().addInput(value("x", F, 2, 3)).addInput(value("shape", OnnxModels.INT64, 2))
        .addNode(node("Reshape", "r", List.of("x", "shape"), List.of("y"))).addOutput(value("y", F, 3, 2)));
    var e = assertThrows(NonConstantInputException.class, () -> importModel(m));
    assertEquals("test.onnx: node 'r': error: input 1 ('shape', the target shape) of Reshape node 'r' is not a "
        + "constant\nhint: cimc needs the target shape at import time: make it an initializer or a Constant node, or "
        + "compute it only from static shapes (bind dynamic input dimensions with --input-shape)", e.render());
    assertEquals("shape", e.valueName());
    Graph g = importModel(m, ImportOptions.defaults().withConstantInput("shape", Tensor.ofLongs(new int[] {2}, 3, 2)));
    assertEquals(1, g.inputs().size());
    assertEquals(TensorType.f32(3, 2), g.output(0).type());
  }

  @Test
  void identityOutputsKeepTheirOnnxName() {
    var m = model(13, graph().addInput(value("x", F, 2))
        .addNode(node("Relu", List.of("x"), List.of("r")))
        .addNode(node("Identity", List.of("r"), List.of("y")))
        .addNode(node("Dropout", List.of("x"), List.of("z")))
        .addOutput(value("y", F, 2)).addOutput(value("r", F, 2)).addOutput(value("z", F, 2)));
    Graph g = importModel(m);
    assertEquals(List.of("y", "r", "z"), g.outputs().stream().map(Value::name).toList());
    assertEquals("""
        graph @g(%x: tensor<2xf32>) -> (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) {
          %y = graph.relu(%x) : tensor<2xf32>
          %r = graph.identity(%y) : tensor<2xf32>
          %z = graph.identity(%x) : tensor<2xf32>
          return %y, %r, %z
        }
        """, print(g));
  }

  @Test
  void unsortedNodesAreSorted() {
    var m = model(13, graph().addInput(value("x", F, 2))
        .addNode(node("Neg", List.of("a"), List.of("y")))
        .addNode(node("Relu", List.of("x"), List.of("a")))
        .addOutput(value("y", F, 2)));
    assertArrayEquals(new float[] {-1, -3}, run(m, Map.of("x", Tensor.ofFloats(new int[] {2}, 1, 3))).get(0).floats());
  }

  @Test
  void cyclesAndUndefinedValuesNameTheNode() {
    var cycle = model(13, graph().addInput(value("x", F, 2))
        .addNode(node("Add", "a", List.of("x", "c"), List.of("b")))
        .addNode(node("Relu", "r", List.of("b"), List.of("c")))
        .addOutput(value("c", F, 2)));
    assertEquals("test.onnx: node 'a': error: Add node 'a' is on a cycle: it reads 'c', which depends on its own "
        + "output\nhint: an ONNX graph must be acyclic", fails(cycle).render());
    var undefined = model(13, graph().addInput(value("x", F, 2))
        .addNode(node("Add", "a", List.of("x", "ghost"), List.of("y"))).addOutput(value("y", F, 2)));
    assertEquals("test.onnx: node 'a': error: Add node 'a' reads 'ghost', which no node, graph input or initializer "
        + "defines", fails(undefined).render());
    var twice = model(13, graph().addInput(value("x", F, 2))
        .addNode(node("Relu", "r1", List.of("x"), List.of("y")))
        .addNode(node("Relu", "r2", List.of("x"), List.of("y"))).addOutput(value("y", F, 2)));
    assertEquals("Relu node 'r2' defines 'y', which another node already defines", fails(twice).getMessage());
    var noOutput = model(13, graph().addInput(value("x", F, 2)).addOutput(value("y", F, 2)));
    assertEquals("graph output 'y' is not produced by any node, input or initializer", fails(noOutput).getMessage());
  }

  @Test
  void everyUnsupportedOpIsListedOnce() {
    var m = model(13, graph().addInput(value("x", F, 4)).addInput(value("b", F, 4))
        .addNode(node("NonMaxSuppression", "nms_1", List.of("x"), List.of("a")))
        .addNode(node("TopK", "topk", List.of("x"), List.of("t")))
        .addNode(node("Relu", List.of("x"), List.of("r")))
        .addNode(node("NonMaxSuppression", "nms_2", List.of("x"), List.of("c")))
        .addNode(node("Gelu", "gelu", List.of("x"), List.of("d")))
        .addOutput(value("r", F, 4)));
    var e = assertInstanceOf(OnnxUnsupportedException.class, fails(m));
    assertEquals("unsupported ONNX ops: Gelu (1 node 'gelu'; needs opset 20, the model imports opset 13), "
        + "NonMaxSuppression (2 nodes, first 'nms_1'), TopK (1 node 'topk')", e.getMessage());
    assertTrue(e.hint().startsWith("cimc imports these ONNX ops: Abs, Add, "), e.hint());
  }

  @Test
  void otherDomainsAndSubgraphsAreUnsupported() {
    var then = Onnx.GraphProto.newBuilder().setName("then").build();
    var ifNode = node("If", "if_1", List.of("c"), List.of("y"), Onnx.AttributeProto.newBuilder()
        .setName("then_branch").setType(Onnx.AttributeProto.AttributeType.GRAPH).setG(then).build());
    var ml = node("LinearClassifier", "lc", List.of("x"), List.of("z")).toBuilder().setDomain("ai.onnx.ml").build();
    var m = model(13, graph().addInput(value("x", F, 4)).addInput(value("c", 9))
        .addNode(ifNode).addNode(ml).addOutput(value("y", F, 4)));
    var e = assertInstanceOf(OnnxUnsupportedException.class, fails(m));
    assertEquals("unsupported ONNX ops: If (1 node 'if_1'), ai.onnx.ml.LinearClassifier (1 node 'lc')", e.getMessage());
    assertTrue(e.hint().startsWith("control flow with subgraphs (If, Loop, Scan) cannot be imported"), e.hint());
  }

  @Test
  void localFunctionsAreRejected() {
    var m = relu(13).toBuilder().addFunctions(Onnx.FunctionProto.newBuilder().setName("MyGelu").setDomain("custom"))
        .build();
    var e = assertInstanceOf(OnnxUnsupportedException.class, fails(m));
    assertEquals("test.onnx: error: the model defines local functions (custom.MyGelu), which cimc does not support\n"
        + "hint: inline them first: onnx.inliner.inline_local_functions(model)", e.render());
  }

  @Test
  void irVersionsAndOpsetsOutOfRange() {
    var old = relu(13).toBuilder().setIrVersion(2).build();
    assertEquals("ONNX IR version 2 is not supported (cimc reads IR versions 3 to 13)", fails(old).getMessage());
    var future = relu(13).toBuilder().setIrVersion(14).build();
    assertEquals("save the model with an older onnx package, or update cimc", fails(future).hint());
    var none = relu(13).toBuilder().clearIrVersion().build();
    assertEquals("the model has no ir_version", fails(none).getMessage());
    var e = fails(relu(5));
    assertInstanceOf(OnnxUnsupportedException.class, e);
    assertEquals("test.onnx: error: ONNX opset 5 is not supported (cimc reads opsets 6 to 27)\n"
        + "hint: convert the model with onnx.version_converter.convert_version(model, 6)", e.render());
    assertEquals("ONNX opset 28 is not supported (cimc reads opsets 6 to 27)", fails(relu(28)).getMessage());
    var noDefault = relu(13).toBuilder().clearOpsetImport().build();
    assertEquals("Relu node 'r' is an op of the default ONNX domain, but the model imports no version of it",
        fails(noDefault).getMessage());
  }

  @Test
  void unknownAttributesAndWrongAttributeKinds() {
    var m = model(13, graph().addInput(value("x", F, 2))
        .addNode(node("Relu", "r", List.of("x"), List.of("y"), attr("alpha", 1.0))).addOutput(value("y", F, 2)));
    assertEquals("Relu node 'r' has the attribute 'alpha', which cimc does not know for Relu", fails(m).getMessage());
    var kind = model(13, graph().addInput(value("x", F, 2, 2))
        .addNode(node("Transpose", "t", List.of("x"), List.of("y"), attr("perm", 1))).addOutput(value("y", F, 2, 2)));
    assertEquals("attribute 'perm' of Transpose node 't' must be a list of ints, got an int", fails(kind).getMessage());
  }

  @Test
  void unsupportedElementTypesOfAnOp() {
    var m = model(13, graph().addInput(value("a", 6, 2, 2)).addInput(value("b", 6, 2, 2))
        .addNode(node("MatMul", "mm", List.of("a", "b"), List.of("y"))).addOutput(value("y", 6, 2, 2)));
    var e = assertInstanceOf(OnnxUnsupportedException.class, fails(m));
    assertEquals("MatMul node 'mm' has an input of element type i32; cimc implements MatMul for float tensors "
        + "(f16, f32, f64)", e.getMessage());
    var str = model(13, graph().addInput(value("s", 8, 2)).addNode(node("Identity", List.of("s"), List.of("y")))
        .addOutput(value("y", 8, 2)));
    assertEquals("graph input 's' has element type string, which cimc does not support", fails(str).getMessage());
  }

  @Test
  void declaredTypesAreCrossChecked() {
    var shape = model(13, graph().addInput(value("x", F, 2))
        .addNode(node("Relu", List.of("x"), List.of("y"))).addOutput(value("y", F, 3)));
    var warnings = new ArrayList<String>();
    importModel(shape, ImportOptions.defaults().withWarnings(warnings::add));
    assertEquals(List.of("value 'y' is declared with shape [3] in the model, but cimc infers tensor<2xf32>"), warnings);
    var type = model(13, graph().addInput(value("x", F, 2))
        .addNode(node("Relu", List.of("x"), List.of("y"))).addValueInfo(value("y", OnnxModels.INT64, 2))
        .addOutput(value("y", F, 2)));
    assertEquals("value 'y' is declared with element type int64 in the model, but cimc computes tensor<2xf32>",
        fails(type).getMessage());
  }

  @Test
  void inferenceErrorsPointAtTheNode() {
    var m = model(13, graph().addInput(value("a", F, 2, 3)).addInput(value("b", F, 2, 3))
        .addNode(node("MatMul", "mm", List.of("a", "b"), List.of("y"))).addOutput(value("y", F, 2, 3)));
    var e = fails(m);
    assertEquals(new Location.Named("test.onnx", "mm"), e.location());
    assertTrue(e.getMessage().startsWith("graph.matmul: "), e.getMessage());
  }

  @Test
  void hugeResultsAreRejectedWithoutAllocating() {
    var m = model(13, graph().addInitializer(longTensor("s", new int[] {3}, 1 << 20, 1 << 20, 1 << 20))
        .addNode(node("ConstantOfShape", "big", List.of("s"), List.of("y"))).addOutput(value("y", F, 1)));
    var e = fails(m);
    assertEquals("test.onnx: node 'big': error: graph.constant_of_shape: the result tensor<1048576x1048576x1048576xf32> "
        + "has more than 2147483639 elements, the most cimc holds in one tensor", e.render());
  }

  @Test
  void badFiles(@TempDir Path dir) throws Exception {
    Path empty = Files.write(dir.resolve("empty.onnx"), new byte[0]);
    assertEquals(empty + ": error: the model file is empty\nhint: an ONNX model is a binary protobuf ModelProto",
        assertThrows(CimcException.class, () -> OnnxImporter.importModel(empty, ImportOptions.defaults())).render());
    byte[] good = relu(13).toByteArray();
    Path truncated = Files.write(dir.resolve("t.onnx"), java.util.Arrays.copyOf(good, good.length - 3));
    var t = assertThrows(CimcException.class, () -> OnnxImporter.importModel(truncated, ImportOptions.defaults()));
    assertTrue(t.getMessage().startsWith("not a valid ONNX model: "), t.getMessage());
    assertEquals("the file is truncated, corrupted, or not a binary ONNX model", t.hint());
    Path random = Files.write(dir.resolve("r.onnx"), new byte[] {0x12, 0x34, 0x56, 0x78, (byte) 0x9A});
    assertThrows(CimcException.class, () -> OnnxImporter.importModel(random, ImportOptions.defaults()));
    var missing = assertThrows(CimcException.class,
        () -> OnnxImporter.importModel(dir.resolve("none.onnx"), ImportOptions.defaults()));
    assertEquals("cannot read model: no such file or folder", missing.getMessage());
    assertEquals("cannot read model: is a folder, not a file",
        assertThrows(CimcException.class, () -> OnnxImporter.importModel(dir, ImportOptions.defaults())).getMessage());
  }

  @Test
  void importedGraphsVerifyAndRunFromAFile(@TempDir Path dir) throws Exception {
    Path f = Files.write(dir.resolve("m.onnx"), relu(13).toByteArray());
    Graph g = OnnxImporter.importModel(f, ImportOptions.defaults());
    assertNotNull(g.value("y"));
    assertEquals(new Location.Named(f.toString(), "r"), g.first().location());
    assertNull(g.value("nothing"));
    assertTrue(OnnxImporter.supportedOps().contains("Conv"));
    assertEquals(List.of(1f, 0f), List.of(run(relu(13), Map.of("x", Tensor.ofFloats(new int[] {2}, 1, -1))).get(0)
        .getFloat(0), run(relu(13), Map.of("x", Tensor.ofFloats(new int[] {2}, 1, -1))).get(0).getFloat(1)));
  }

  @Test
  void declaredInputsWithoutImporting(@TempDir Path dir) throws Exception {
    var m = model(13, graph().addInput(value("x", F, "N", 3)).addInput(value("w", F, 3))
        .addInitializer(floatTensor("w", new int[] {3}, 1, 2, 3))
        .addNode(node("Add", List.of("x", "w"), List.of("y"))).addOutput(value("y", F, "N", 3)));
    Path f = Files.write(dir.resolve("m.onnx"), m.toByteArray());
    assertEquals(List.of(new ImportOptions.InputShape("x", new int[] {-1, 3})), OnnxImporter.declaredInputs(f));
  }

  @Test
  void sharedArgumentsAreImportedOnce() {
    var m = model(13, graph().addInput(value("x", F, 2)).addInitializer(floatTensor("w", new int[] {2}, 2, 3))
        .addNode(node("Mul", List.of("x", "w"), List.of("a")))
        .addNode(node("Add", List.of("a", "w"), List.of("y"))).addOutput(value("y", F, 2)));
    Graph g = importModel(m);
    assertEquals(3, g.size());
    var ints0 = ints("unused");
    assertEquals(0, ints0.getIntsCount());
  }
}
