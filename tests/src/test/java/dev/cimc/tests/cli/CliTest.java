package dev.cimc.tests.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.compiler.Cimc;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.npy.NpzFormat;
import dev.cimc.ir.npy.TensorFiles;
import dev.cimc.ir.tensor.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cimc command line end to end: outputs, dumps, exit codes and the messages users see. */
class CliTest {
  @TempDir
  Path tmp;

  @Test
  void versionAndHelp() {
    Cli v = Cli.run("--version");
    assertEquals(0, v.exitCode());
    assertTrue(v.out().startsWith("cimc 0.1.0"), v.out());
    Cli h = Cli.run("--help");
    assertEquals(0, h.exitCode());
    assertTrue(h.out().contains("Usage: cimc"), h.out());
    for (String sub : List.of("opt", "run", "passes", "bench")) {
      assertTrue(h.out().contains("  " + sub + " "), "help lists " + sub);
    }
  }

  @Test
  void optPrintsOneMlirStyleDumpPerPassForEachFile() {
    Cli r = Cli.run("opt", Cli.example("lenet.cir").toString(), Cli.example("mlp.cir").toString(),
        "--passes=canonicalize,fold-constants,dce", "--print-ir-after-all");
    assertEquals(0, r.exitCode(), r.err());
    List<String> headers = r.err().lines().filter(l -> l.startsWith("// -----//")).toList();
    List<String> onePass = List.of(
        "// -----// IR Dump After Canonicalize (canonicalize) //----- //",
        "// -----// IR Dump After FoldConstants (fold-constants) //----- //",
        "// -----// IR Dump After DeadCodeElimination (dce) //----- //");
    var both = new java.util.ArrayList<>(onePass);
    both.addAll(onePass);
    assertEquals(both, headers);
    // stdout holds the two optimized graphs
    assertEquals(2, r.out().lines().filter(l -> l.startsWith("graph @")).count());
  }

  @Test
  void dumpIrDirWritesNumberedFiles() throws IOException {
    Path dir = tmp.resolve("dumps");
    Cli r = Cli.run("opt", Cli.example("lenet.cir").toString(), "--passes=canonicalize,fold-constants,dce",
        "--dump-ir-dir=" + dir);
    assertEquals(0, r.exitCode(), r.err());
    try (Stream<Path> s = Files.list(dir)) {
      assertEquals(List.of("00-input.cir", "01-after-canonicalize.cir", "02-after-fold-constants.cir",
          "03-after-dce.cir"), s.map(p -> p.getFileName().toString()).sorted().toList());
    }
    String afterDce = Files.readString(dir.resolve("03-after-dce.cir"));
    assertFalse(afterDce.contains("%unused"), "dce removed the dead value");
    assertFalse(afterDce.contains("graph.identity"), "canonicalize removed the identity");
  }

  @Test
  void compileWritesCirAndSideFileThatReadBackAndAreDeterministic() throws IOException {
    Path out1 = tmp.resolve("a.cir");
    Path out2 = tmp.resolve("b.cir");
    assertEquals(0, Cli.run(Cli.example("lenet.cir").toString(), "-O2", "-o", out1.toString()).exitCode());
    assertEquals(0, Cli.run(Cli.example("lenet.cir").toString(), "-O2", "-o", out2.toString()).exitCode());
    assertArrayEquals(Files.readAllBytes(out1), Files.readAllBytes(out2));
    assertArrayEquals(Files.readAllBytes(tmp.resolve("a.weights.npz")), Files.readAllBytes(tmp.resolve("b.weights.npz")));
    // the optimized graph computes what the original computes, up to float rounding (equalization rescales
    // weights, fusion reorders bias additions): max |after - before| ≤ 1e-5 · max |before|
    var cimc = Cimc.standard();
    Map<String, Tensor> in = NpzFormat.read(Cli.example("lenet.input.npz"));
    Tensor before = cimc.run(cimc.load(Cli.example("lenet.cir")), in).get("logits");
    Graph opt = cimc.load(out1);
    Tensor after = cimc.run(opt, in).get("logits");
    float[] b = before.floats();
    float[] a = after.floats();
    assertEquals(b.length, a.length);
    double maxAbs = 0;
    double maxDiff = 0;
    for (int i = 0; i < b.length; i++) {
      maxAbs = Math.max(maxAbs, Math.abs(b[i]));
      maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
    }
    assertTrue(maxDiff <= 1e-5 * maxAbs, "max difference " + maxDiff + " for outputs up to " + maxAbs);
    assertTrue(opt.size() < cimc.load(Cli.example("lenet.cir")).size());
  }

  @Test
  void runWritesOutputsByNameAndDumpsValues() {
    Path out = tmp.resolve("y.npz");
    Path values = tmp.resolve("values");
    Cli r = Cli.run("run", Cli.example("mlp.cir").toString(), "--inputs", Cli.example("mlp.input.npz").toString(),
        "-o", out.toString(), "--dump-values", values.toString(), "--threads", "1");
    assertEquals(0, r.exitCode(), r.err());
    Map<String, Tensor> y = TensorFiles.read(out);
    assertEquals(List.of("y"), List.copyOf(y.keySet()));
    var cimc = Cimc.standard();
    Tensor expect = cimc.run(cimc.load(Cli.example("mlp.cir")), NpzFormat.read(Cli.example("mlp.input.npz"))).get("y");
    assertArrayEquals(expect.floats(), y.get("y").floats());
    assertTrue(Files.isRegularFile(values.resolve("0000-w.npy")));
    assertTrue(Files.isRegularFile(values.resolve("0005-y.npy")));
  }

  @Test
  void runBindsNpyFilesInOrder() throws IOException {
    Path x = tmp.resolve("anything.npy");
    TensorFiles.write(x, NpzFormat.read(Cli.example("mlp.input.npz")));
    Cli r = Cli.run("run", Cli.example("mlp.cir").toString(), "--inputs", x.toString());
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(r.out().startsWith("y: tensor<2x3xf32> ["), r.out());
  }

  @Test
  void passesListsAndPrintsPipelines() {
    Cli list = Cli.run("passes");
    assertEquals(0, list.exitCode());
    assertTrue(list.out().contains("dce (DeadCodeElimination)"), list.out());
    Cli o1 = Cli.run("passes", "--pipeline=O1");
    assertEquals(0, o1.exitCode());
    String text = o1.out().strip();
    // the printed pipeline pastes back into --passes
    Cli again = Cli.run(Cli.example("mlp.cir").toString(), "--passes=" + text);
    assertEquals(0, again.exitCode(), again.err());
  }

  @Test
  void malformedIrIsAUserErrorWithLocationAndCaret() throws IOException {
    Path bad = tmp.resolve("bad.cir");
    Files.writeString(bad, "graph @g(%x: tensor<2xf32>) -> tensor<2xf32> {\n  %0 = graph.ad(%x, %x) : tensor<2xf32>\n"
        + "  return %0\n}\n");
    Path out = tmp.resolve("out.cir");
    Cli r = Cli.run(bad.toString(), "-o", out.toString());
    assertEquals(1, r.exitCode());
    assertEquals(bad + ":2:8: error: unknown op 'graph.ad'\n"
        + "  %0 = graph.ad(%x, %x) : tensor<2xf32>\n"
        + "       ^~~~~~~~\n"
        + "hint: did you mean `graph.add`?\n", r.err());
    assertFalse(Files.exists(out), "no output is written on error");
  }

  @Test
  void truncatedAndBinaryIrFilesAreUserErrors() throws IOException {
    String text = Files.readString(Cli.example("mlp.cir"));
    Path trunc = tmp.resolve("trunc.cir");
    Files.writeString(trunc, text.substring(0, text.indexOf("%1 =")));
    Cli r = Cli.run(trunc.toString());
    assertEquals(1, r.exitCode());
    assertTrue(r.err().startsWith(trunc + ":"), r.err());
    assertTrue(r.err().contains("error: expected"), r.err());
    assertFalse(r.err().contains("Exception"), r.err());

    Path bin = tmp.resolve("bin.cir");
    Files.write(bin, new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, 2, (byte) 0x93});
    Cli b = Cli.run(bin.toString());
    assertEquals(1, b.exitCode());
    assertEquals(bin + ": error: not a UTF-8 text file\nhint: a .cir file is text; is this a binary file?\n", b.err());

    Cli missing = Cli.run(tmp.resolve("nope.cir").toString());
    assertEquals(1, missing.exitCode());
    assertEquals(tmp.resolve("nope.cir") + ": error: no such file\n", missing.err());
  }

  @Test
  void invalidIrReportsEveryVerifierProblem() throws IOException {
    Path bad = tmp.resolve("types.cir");
    Files.writeString(bad, "graph @g(%x: tensor<2xf32>) -> tensor<3xf32> {\n"
        + "  %0 = graph.relu(%x) : tensor<3xf32>\n"
        + "  %1 = graph.add(%x, %x) {axis = 1} : tensor<2xf32>\n"
        + "  return %0\n}\n");
    Cli r = Cli.run(bad.toString());
    assertEquals(1, r.exitCode());
    assertTrue(r.err().startsWith("error: graph @g is invalid (2 problems)\n"), r.err());
    assertTrue(r.err().contains(bad + ":2:3: %0 = graph.relu: result 0 has type tensor<3xf32> but inference gives tensor<2xf32>"), r.err());
    assertTrue(r.err().contains(bad + ":3:3: %1 = graph.add: unknown attribute 'axis'"), r.err());
  }

  @Test
  void malformedTensorFilesAreUserErrors() throws IOException {
    Path garbage = tmp.resolve("garbage.npy");
    Files.write(garbage, "definitely not numpy".getBytes(StandardCharsets.UTF_8));
    Path out = tmp.resolve("y.npz");
    Cli r = Cli.run("run", Cli.example("mlp.cir").toString(), "--inputs", garbage.toString(), "-o", out.toString());
    assertEquals(1, r.exitCode());
    assertTrue(r.err().startsWith(garbage + ": error: not a .npy file"), r.err());
    assertFalse(Files.exists(out));

    byte[] good = Files.readAllBytes(Cli.example("mlp.input.npz"));
    Path trunc = tmp.resolve("trunc.npz");
    Files.write(trunc, java.util.Arrays.copyOf(good, good.length / 2));
    Cli t = Cli.run("run", Cli.example("mlp.cir").toString(), "--inputs", trunc.toString());
    assertEquals(1, t.exitCode());
    assertTrue(t.err().startsWith(trunc + ": error:"), t.err());

    Path wrongName = tmp.resolve("wrong.npz");
    NpzFormat.write(wrongName, Map.of("z", Tensor.ofFloats(new int[] {2, 4}, new float[8])));
    Cli w = Cli.run("run", Cli.example("mlp.cir").toString(), "--inputs", wrongName.toString());
    assertEquals(1, w.exitCode());
    assertEquals(wrongName + ": error: entry 'z' is not an input of @mlp\nhint: the graph takes: x: tensor<2x4xf32>\n",
        w.err());

    Path wrongShape = tmp.resolve("shape.npz");
    NpzFormat.write(wrongShape, Map.of("x", Tensor.ofFloats(new int[] {4, 2}, new float[8])));
    Cli s = Cli.run("run", Cli.example("mlp.cir").toString(), "--inputs", wrongShape.toString());
    assertEquals(1, s.exitCode());
    assertEquals("error: input 'x' has type tensor<4x2xf32>, the graph expects tensor<2x4xf32>\n"
        + "hint: check the input file's shape and dtype\n", s.err());
  }

  @Test
  void usageErrorsExitWithTwo() {
    Cli unknown = Cli.run("--bogus");
    assertEquals(2, unknown.exitCode());
    assertTrue(unknown.err().startsWith("cimc: Unknown option: '--bogus'"), unknown.err());
    assertEquals(2, Cli.run().exitCode());
    Cli level = Cli.run(Cli.example("mlp.cir").toString(), "-O7");
    assertEquals(2, level.exitCode());
    assertEquals("error: unknown optimization level '-O7'\nhint: use -O0, -O1, -O2 or -O3\n", level.err());
    assertEquals(2, Cli.run("run", Cli.example("mlp.cir").toString()).exitCode(), "--inputs is required");
  }

  @Test
  void badPipelineAndUnavailableEmitAreUserErrors() {
    Cli p = Cli.run(Cli.example("mlp.cir").toString(), "--passes=canonicalize,dcee");
    assertEquals(1, p.exitCode());
    assertEquals("--passes:1:14: error: unknown pass 'dcee'\ncanonicalize,dcee\n             ^\nhint: did you mean 'dce'?\n",
        p.err());
    Cli e = Cli.run(Cli.example("mlp.cir").toString(), "--emit=tile");
    assertEquals(1, e.exitCode());
    assertTrue(e.err().startsWith("error: --emit=tile is not available"), e.err());
  }

  @Test
  void passTimingAndStatisticsGoToStderr() {
    Cli r = Cli.run(Cli.example("lenet.cir").toString(), "-O1", "--pass-timing", "--pass-statistics",
        "-o", tmp.resolve("l.cir").toString());
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(r.err().contains("Pass execution timing report"), r.err());
    assertTrue(r.err().contains("nodes-erased"), r.err());
  }

  @Test
  void runsAnOnnxModelOnTensorProtoInputs() {
    Path dir = dev.cimc.frontend.SharedData.dir("onnx-node").resolve("test_conv_with_strides_padding");
    Path data = dir.resolve("test_data_set_0");
    Path out = tmp.resolve("y.pb");
    Cli r = Cli.run("run", dir.resolve("model.onnx").toString(), "--inputs", data.resolve("input_0.pb").toString(),
        data.resolve("input_1.pb").toString(), "-o", out.toString());
    assertEquals(0, r.exitCode(), r.err());
    Tensor got = dev.cimc.frontend.onnx.TensorProtoFiles.read(out);
    Tensor want = dev.cimc.frontend.onnx.TensorProtoFiles.read(data.resolve("output_0.pb"));
    assertArrayEquals(want.floats(), got.floats());
  }

  @Test
  void compilesAnOnnxModelAndBindsInputShapes() throws IOException {
    Path model = dev.cimc.frontend.SharedData.dir("models").resolve("light_squeezenet.onnx");
    Path out = tmp.resolve("sq.cir");
    Cli r = Cli.run(model.toString(), "-O1", "--input-shape", "data_0=1x3x224x224", "-o", out.toString());
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(Files.readString(out).startsWith("graph @"), "a .cir was written");
    Cli bad = Cli.run(model.toString(), "--input-shape", "data_0=1xx3");
    assertEquals(1, bad.exitCode());
    assertFalse(bad.err().contains("Exception"), bad.err());
  }

  @Test
  void malformedOnnxIsAUserError() throws IOException {
    Path bad = tmp.resolve("bad.onnx");
    Files.write(bad, new byte[] {8, 7, 0x12, 0x7f, 1, 2, 3});
    Cli r = Cli.run(bad.toString());
    assertEquals(1, r.exitCode());
    assertTrue(r.err().startsWith(bad + ": error:"), r.err());
    assertFalse(r.err().contains("Exception"), r.err());
  }

  @Test
  void exportWritesOnnxThatReadsBackToTheSameResults() {
    Path onnx = tmp.resolve("lenet.onnx");
    Cli e = Cli.run("export", Cli.example("lenet.cir").toString(), "-o", onnx.toString());
    assertEquals(0, e.exitCode(), e.err());
    var cimc = Cimc.standard();
    Map<String, Tensor> in = NpzFormat.read(Cli.example("lenet.input.npz"));
    assertArrayEquals(cimc.run(cimc.load(Cli.example("lenet.cir")), in).get("logits").floats(),
        cimc.run(cimc.load(onnx), in).get("logits").floats());
    assertEquals(2, Cli.run("export", Cli.example("lenet.cir").toString()).exitCode(), "-o is required");
  }

  @Test
  void compilesAndRunsADslModelAndFormatsDslFiles() throws IOException {
    Path dsl = Cli.repoRoot().resolve("examples/dsl/lenet5.cim");
    Path out = tmp.resolve("lenet5.cir");
    Cli c = Cli.run(dsl.toString(), "-O1", "-o", out.toString());
    assertEquals(0, c.exitCode(), c.err());
    assertTrue(Files.readString(out).startsWith("graph @lenet5("), "the DSL model compiled to .cir");
    assertEquals(0, Cli.run("fmt", "--check", dsl.toString()).exitCode(), "the example is formatted");
    Path messy = tmp.resolve("messy.cim");
    Files.writeString(messy, Files.readString(dsl).replace("    |> relu\n", "        |>    relu\n"));
    Cli check = Cli.run("fmt", "--check", messy.toString());
    assertEquals(1, check.exitCode());
    assertEquals(messy + "\n", check.out());
    assertEquals(0, Cli.run("fmt", "-i", messy.toString()).exitCode());
    assertEquals(Files.readString(dsl), Files.readString(messy));
    Path bad = tmp.resolve("bad.cim");
    Files.writeString(bad, "model m(x: f32[1, 4]) {\n  y = x |> relux\n  return y\n}\n");
    Cli e = Cli.run(bad.toString());
    assertEquals(1, e.exitCode());
    assertTrue(e.err().startsWith(bad + ":2:12: error:"), e.err());
  }

  @Test
  void dynamicDimensionsBindFromRunInputsOrDefaultToOneWithAWarning() throws IOException {
    Path model = Cli.repoRoot().resolve("tests/src/test/resources/cli/dynamic_batch.onnx");
    Path x = tmp.resolve("x.npy");
    dev.cimc.ir.npy.NpyFormat.write(x, Tensor.ofFloats(new int[] {3, 4}, new float[12]));
    Cli r = Cli.run("run", model.toString(), "--inputs", x.toString());
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(r.out().startsWith("y: tensor<3x3xf32>"), r.out());
    assertEquals("", r.err(), "the input file bound N: no warning");
    Cli c = Cli.run(model.toString(), "-o", tmp.resolve("d.cir").toString());
    assertEquals(0, c.exitCode(), c.err());
    assertEquals("warning: dynamic dimension 'N' of input 'x' defaulted to 1\n", c.err());
    Cli given = Cli.run(model.toString(), "--input-shape", "x=5x4", "-o", tmp.resolve("e.cir").toString());
    assertEquals("", given.err());
    assertTrue(Files.readString(tmp.resolve("e.cir")).startsWith("graph @dynamic_batch(%x: tensor<5x4xf32>)"));
  }

  @Test
  void benchCleReportsTheQuantizedOutputSqnrWithAndWithoutEqualization() {
    String model = Cli.repoRoot().resolve("tests/src/test/resources/models/digits_cnn.onnx").toString();
    String data = Cli.repoRoot().resolve("tests/src/test/resources/models/digits.npz").toString();
    Cli r = Cli.run("bench", "cle", model, "--data", data, "--calib-samples", "8", "--eval-samples", "4");
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(r.out().contains("W8A8, weights per tensor minmax, activations minmax after activation functions"),
        r.out());
    assertTrue(r.out().matches("(?s).*without CLE: output SQNR -?[0-9.]+ dB, cosine [0-9.]+ \\([0-9]+ ops left in float\\)"
        + "\n.*with CLE: +output SQNR -?[0-9.]+ dB.*\\(4 evaluation samples, 40 output values\\).*"), r.out());
    Cli bad = Cli.run("bench", "cle", model, "--data", data, "--calib-array", "nope");
    assertEquals(2, bad.exitCode());
    assertTrue(bad.err().startsWith("error: " + data + " has no array 'nope'"), bad.err());
    assertTrue(bad.err().contains("calib_images, calib_labels"), bad.err());
    Cli many = Cli.run("bench", "cle", model, "--data", data, "--eval-samples", "300");
    assertEquals(2, many.exitCode());
    assertTrue(many.err().startsWith("error: --eval-samples takes 1 to 256 (the samples in 'eval_images'), got 300"),
        many.err());
  }

  @Test
  void emitsAQuantizedGraphThatRunsWithTheIntegerInterpreter() throws IOException {
    Path model = Cli.repoRoot().resolve("tests/src/test/resources/models/digits_cnn.onnx");
    Map<String, Tensor> digits = NpzFormat.read(Cli.repoRoot().resolve("tests/src/test/resources/models/digits.npz"));
    Tensor calib = digits.get("calib_images");
    Path dir = Files.createDirectories(tmp.resolve("calib"));
    float[] all = calib.floats();
    for (int i = 0; i < 16; i++) {
      float[] one = java.util.Arrays.copyOfRange(all, i * 1024, (i + 1) * 1024);
      dev.cimc.ir.npy.NpyFormat.write(dir.resolve(String.format("%02d.npy", i)), Tensor.ofFloats(new int[] {1, 1, 32, 32}, one));
    }
    Path q = tmp.resolve("q.cir");
    Cli c = Cli.run(model.toString(), "-O2", "--target", "cim-256x256", "--calib", dir.toString(), "--emit=qgraph",
        "-o", q.toString());
    assertEquals(0, c.exitCode(), c.err());
    String text = Files.readString(q);
    assertTrue(text.contains("q.qconv2d("), "convolutions are integer ops");
    assertTrue(text.contains("q.requantize("), "with fixed-point requantization");
    assertTrue(!text.contains("fused_"), "-O2 fuses, and the fused ops are lowered too");
    assertTrue(text.contains("  return %logits\n"), "the graph output keeps its name");
    assertTrue(Files.isRegularFile(tmp.resolve("q.weights.npz")), "quantized weights live in the side file");
    // The pair reads back (quantized blobs take their declared types) and prints the same text.
    var cimc = Cimc.standard();
    Graph g = cimc.load(q);
    assertEquals(text, dev.cimc.ir.text.IrPrinter.print(g).text());
    // Integer inference agrees with float inference on the class of most evaluation digits.
    Graph f = cimc.load(model);
    float[] eval = digits.get("eval_images").floats();
    int agree = 0;
    for (int i = 0; i < 32; i++) {
      Tensor x = Tensor.ofFloats(new int[] {1, 1, 32, 32}, java.util.Arrays.copyOfRange(eval, i * 1024, (i + 1) * 1024));
      float[] yq = cimc.run(g, Map.of("input", x)).values().iterator().next().floats();
      float[] yf = cimc.run(f, Map.of("input", x)).values().iterator().next().floats();
      agree += argmax(yq) == argmax(yf) ? 1 : 0;
    }
    assertTrue(agree >= 30, agree + " of 32 digits classified alike");
    Cli none = Cli.run(model.toString(), "--emit=qgraph");
    assertEquals(2, none.exitCode());
    assertTrue(none.err().startsWith("error: --emit=qgraph needs calibration data"), none.err());
  }

  @Test
  void quantizationFlagsBecomeQuantizeOptions() throws IOException {
    Path model = Cli.repoRoot().resolve("tests/src/test/resources/models/digits_cnn.onnx");
    Map<String, Tensor> digits = NpzFormat.read(Cli.repoRoot().resolve("tests/src/test/resources/models/digits.npz"));
    Path batch = tmp.resolve("calib.npz");
    NpzFormat.write(batch, Map.of("input", digits.get("calib_images").rows(0, 8)));
    // -O3 runs AdaRound and bias correction; flags override the preset and the target.
    Cli c = Cli.run(model.toString(), "-O3", "--calib", batch.toString(), "--emit=qgraph", "--weight-bits=4",
        "--weight-granularity=tensor", "--activation-range=percentile", "--percentile=99.9", "--no-adaround",
        "--pass-statistics", "-o", tmp.resolve("q3.cir").toString());
    assertEquals(0, c.exitCode(), c.err());
    assertTrue(c.err().contains("calibration-samples") && c.err().contains("layers-bias-corrected"), c.err());
    String text = Files.readString(tmp.resolve("q3.cir"));
    assertTrue(text.contains("!q.i4<scale="), "4-bit weights per tensor: " + text.substring(0, 400));
    Cli bad = Cli.run(model.toString(), "--calib", batch.toString(), "--emit=qgraph", "--weight-range=best");
    assertEquals(2, bad.exitCode());
    assertTrue(bad.err().contains("--weight-range takes one of minmax, mse; got 'best'"), bad.err());
    Cli graphOnly = Cli.run(model.toString(), "--emit=graph", "--weight-bits=4");
    assertEquals(2, graphOnly.exitCode());
    assertTrue(graphOnly.err().contains("quantization flags need --emit=qgraph"), graphOnly.err());
    // without --emit, calibration data means the quantized graph
    Cli implied = Cli.run(model.toString(), "--calib", batch.toString(), "-o", tmp.resolve("implied.cir").toString());
    assertEquals(0, implied.exitCode(), implied.err());
    assertTrue(Files.readString(tmp.resolve("implied.cir")).contains("q.qconv2d("));
    Cli wrongKey = Cli.run(model.toString(), "--calib", writeNpz("other.npz", Map.of("a", digits.get("calib_images").rows(0, 2),
        "b", digits.get("calib_images").rows(0, 2))).toString(), "--emit=qgraph");
    assertEquals(1, wrongKey.exitCode());
    assertTrue(wrongKey.err().contains("no array named 'input' for the graph input"), wrongKey.err());
  }

  @Test
  void mixedPrecisionConfigAndReport() throws IOException {
    Path model = Cli.repoRoot().resolve("tests/src/test/resources/models/digits_cnn.onnx");
    Path data = Cli.repoRoot().resolve("tests/src/test/resources/models/digits.npz");
    Path report = tmp.resolve("report.json");
    Cli c = Cli.run(model.toString(), "--emit=qgraph", "--calib", data.toString(), "--calib-inputs", "calib_images",
        "--quant-config", Cli.repoRoot().resolve("examples/quant/mixed.yaml").toString(), "--eval", data.toString(),
        "--eval-inputs", "eval_images", "--eval-labels", "eval_labels", "--quant-report", report.toString(),
        "-o", tmp.resolve("mixed.cir").toString());
    assertEquals(0, c.exitCode(), c.err());
    assertTrue(c.err().contains("quantization report: 256 samples"), c.err());
    assertTrue(c.err().contains("top-1: float 97.66% (250/256)"), c.err());
    String json = Files.readString(report);
    assertTrue(json.contains("\"format\" : \"cimc-quant-report\"") && json.contains("\"layers\""), json);
    String text = Files.readString(tmp.resolve("mixed.cir"));
    assertTrue(text.contains("!q.i4<axis=0"), "the config's 4-bit conv2 weights");
    Path bad = Files.writeString(tmp.resolve("bad.yaml"), "layers:\n  - name: conv2\n    wieght: {bits: 4}\n");
    Cli b = Cli.run(model.toString(), "--emit=qgraph", "--calib-random", "2", "--quant-config", bad.toString());
    assertEquals(1, b.exitCode());
    assertTrue(b.err().startsWith(bad + ":3:5: error:"), b.err());
  }

  private Path writeNpz(String name, Map<String, Tensor> arrays) {
    Path p = tmp.resolve(name);
    NpzFormat.write(p, arrays);
    return p;
  }

  private static int argmax(float[] a) {
    int best = 0;
    for (int i = 1; i < a.length; i++) {
      if (a[i] > a[best]) {
        best = i;
      }
    }
    return best;
  }
}
