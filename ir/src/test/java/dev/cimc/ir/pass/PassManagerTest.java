package dev.cimc.ir.pass;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.diag.Location;
import dev.cimc.ir.dialect.Dialects;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.GraphBuilder;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.text.IrPrinter;
import dev.cimc.ir.text.PrintOptions;
import dev.cimc.ir.type.TensorType;
import dev.cimc.ir.verify.VerificationException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PassManagerTest {
  private static final PassRegistry REGISTRY = TestPasses.registry();
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

  /** A foldable add, a dead mul, and a live add. */
  static Graph sample() {
    var b = new GraphBuilder("g", Dialects.standard());
    Value x = b.input("x", TensorType.f32(2));
    Value c = b.constant("c", Tensor.ofFloats(new int[] {2}, 1f, 2f));
    Value d = b.constant("d", Tensor.ofFloats(new int[] {2}, 3f, 4f));
    Value s = b.named("s", "graph.add", Attributes.EMPTY, c, d);
    b.named("dead", "graph.mul", Attributes.EMPTY, x, x);
    b.output(b.named("y", "graph.add", Attributes.EMPTY, x, s));
    return b.build();
  }

  /** x / y at m.cir:3:5. */
  static Graph withDivision(boolean located) {
    var b = new GraphBuilder("g", Dialects.standard());
    Value x = b.input("x", TensorType.f32(2));
    Value y = b.input("y", TensorType.f32(2));
    if (located) {
      b.at(Location.file("m.cir", 3, 5));
    }
    b.output(b.named("q", "graph.div", Attributes.EMPTY, x, y));
    return b.build();
  }

  private static final String SAMPLE_AFTER_CANONICALIZE = """
      graph @g(%x: tensor<2xf32>) -> tensor<2xf32> {
        %c = const dense<[1.0, 2.0]> : tensor<2xf32>
        %d = const dense<[3.0, 4.0]> : tensor<2xf32>
        %s = graph.add(%c, %d) : tensor<2xf32>
        %y = graph.add(%x, %s) : tensor<2xf32>
        return %y
      }
      """;
  private static final String SAMPLE_AFTER_FOLD = """
      graph @g(%x: tensor<2xf32>) -> tensor<2xf32> {
        %c = const dense<[1.0, 2.0]> : tensor<2xf32>
        %d = const dense<[3.0, 4.0]> : tensor<2xf32>
        %s = const dense<[4.0, 6.0]> : tensor<2xf32>
        %y = graph.add(%x, %s) : tensor<2xf32>
        return %y
      }
      """;
  private static final String SAMPLE_AFTER_DCE = """
      graph @g(%x: tensor<2xf32>) -> tensor<2xf32> {
        %s = const dense<[4.0, 6.0]> : tensor<2xf32>
        %y = graph.add(%x, %s) : tensor<2xf32>
        return %y
      }
      """;

  private PassManager manager(String pipeline, PassManager.Options options) {
    return new PassManager(PassPipeline.parse(pipeline, REGISTRY), options.withOut(out));
  }

  private static PassManager.Options opts() {
    return PassManager.Options.defaults();
  }

  private String output() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private List<String> headers() {
    var l = new ArrayList<String>();
    for (String line : output().split("\n")) {
      if (line.startsWith("// -----//")) {
        l.add(line);
      }
    }
    return l;
  }

  @Test
  void printIrAfterAllDumpsEveryPassWithMlirHeaders() {
    manager("canonicalize,fold-constants,dce", opts().withPrintIrAfterAll(true)).run(sample());
    assertEquals("// -----// IR Dump After Canonicalize (canonicalize) //----- //\n" + SAMPLE_AFTER_CANONICALIZE + "\n"
        + "// -----// IR Dump After FoldConstants (fold-constants) //----- //\n" + SAMPLE_AFTER_FOLD + "\n"
        + "// -----// IR Dump After DeadCodeElimination (dce) //----- //\n" + SAMPLE_AFTER_DCE + "\n", output());
  }

  @Test
  void nothingIsPrintedByDefault() {
    PassManager.Result r = manager("canonicalize,fold-constants,dce", opts()).run(sample());
    assertEquals("", output());
    assertTrue(r.changed());
    assertEquals(3, r.runs().size());
  }

  @Test
  void printIrBeforeAndAfterSelectedPasses() {
    manager("canonicalize,fold-constants,dce", opts().withPrintIrBefore("dce").withPrintIrAfter("fold-constants"))
        .run(sample());
    assertEquals("// -----// IR Dump After FoldConstants (fold-constants) //----- //\n" + SAMPLE_AFTER_FOLD + "\n"
        + "// -----// IR Dump Before DeadCodeElimination (dce) //----- //\n" + SAMPLE_AFTER_FOLD + "\n", output());
  }

  @Test
  void beforeAllAndAfterAllInterleave() {
    manager("canonicalize,dce", opts().withPrintIrBeforeAll(true).withPrintIrAfterAll(true)).run(sample());
    assertEquals(List.of(
        "// -----// IR Dump Before Canonicalize (canonicalize) //----- //",
        "// -----// IR Dump After Canonicalize (canonicalize) //----- //",
        "// -----// IR Dump Before DeadCodeElimination (dce) //----- //",
        "// -----// IR Dump After DeadCodeElimination (dce) //----- //"), headers());
  }

  @Test
  void printIrAfterChangeComparesFingerprintsNotClaims() {
    manager("noop,dce,claim-change,silent-rename,dce", opts().withPrintIrAfterChange(true)).run(sample());
    assertEquals(List.of(
        "// -----// IR Dump After DeadCodeElimination (dce) //----- //",
        "// -----// IR Dump After SilentRename (silent-rename) //----- //"), headers());
  }

  @Test
  void printIrAfterChangeRestrictsAnAfterSelection() {
    manager("silent-rename,dce,dce", opts().withPrintIrAfterChange(true).withPrintIrAfter("dce")).run(sample());
    assertEquals(List.of("// -----// IR Dump After DeadCodeElimination (dce) //----- //"), headers());
  }

  @Test
  void passFailureNamesPassNodeAndLocation() {
    var e = assertThrows(PassException.class,
        () -> manager("dce,fail-on-div", opts()).run(withDivision(true)));
    assertEquals("pass 'fail-on-div' failed on %q = graph.div (m.cir:3:5): division is not supported here",
        e.getMessage());
    assertEquals("error: pass 'fail-on-div' failed on %q = graph.div (m.cir:3:5): division is not supported here\n"
        + "hint: rewrite the division", e.render());
    assertEquals("fail-on-div", e.passName());
    assertInstanceOf(PassFailure.class, e.getCause());
    assertEquals("", output());
  }

  @Test
  void passFailureWithoutLocation() {
    var e = assertThrows(PassException.class, () -> manager("fail-on-div", opts()).run(withDivision(false)));
    assertEquals("pass 'fail-on-div' failed on %q = graph.div: division is not supported here", e.getMessage());
  }

  @Test
  void printIrAfterFailureDumpsTheIrAtFailure() {
    assertThrows(PassException.class,
        () -> manager("dce,fail-on-div", opts().withPrintIrAfterFailure(true)).run(withDivision(true)));
    assertEquals("""
        // -----// IR Dump After FailOnDiv (fail-on-div) Failed //----- //
        graph @g(%x: tensor<2xf32>, %y: tensor<2xf32>) -> tensor<2xf32> {
          %q = graph.div(%x, %y) : tensor<2xf32>
          return %q
        }

        """, output());
  }

  @Test
  void otherUserErrorsFromPassesNameThePass() {
    var e = assertThrows(PassException.class, () -> manager("throw-cimc", opts()).run(sample()));
    assertEquals("pass 'throw-cimc' failed at m.cir:2:7: something is off", e.getMessage());
  }

  @Test
  void internalErrorsPropagateWithThePassName() {
    var e = assertThrows(IllegalStateException.class,
        () -> manager("dce,crash", opts().withPrintIrAfterFailure(true)).run(sample()));
    assertEquals("internal error in pass 'crash': java.lang.ArithmeticException: / by zero", e.getMessage());
    assertInstanceOf(ArithmeticException.class, e.getCause());
    assertEquals(List.of("// -----// IR Dump After Crash (crash) Failed //----- //"), headers());
  }

  @Test
  void verifyEachCatchesABrokenPass() {
    var e = assertThrows(PassException.class,
        () -> manager("break-order", opts().withPrintIrAfterFailure(true)).run(sample()));
    assertEquals("""
        error: pass 'break-order' produced invalid IR
          %y = graph.add: operand 1 (%s) is used before it is defined""", e.render());
    assertEquals(List.of("// -----// IR Dump After BreakOrder (break-order) Failed //----- //"), headers());
    assertTrue(output().contains("graph @g(%x: tensor<2xf32>) -> tensor<2xf32> {\n  %y = graph.add(%x, %s)"));
  }

  @Test
  void verificationsAfterEarlierOnesStillReinferChangedTypes() {
    // dce's verification remembers every node's inference; retype then changes only a result type
    var e = assertThrows(PassException.class, () -> manager("dce,dce,retype", opts()).run(sample()));
    assertEquals("""
        error: pass 'retype' produced invalid IR
          %s = graph.add: result 0 has type tensor<3xf32> but inference gives tensor<2xf32>
          %y = graph.add: shapes 2 and 3 do not broadcast (dimension -1: 2 vs 3)""", e.render());
  }

  @Test
  void withoutVerifyEachBrokenIrPasses() {
    Graph g = sample();
    manager("break-order", opts().withVerifyEach(false)).run(g);
    assertEquals("y", g.first().result().name());
  }

  @Test
  void invalidInputIsReportedBeforeAnyPass() {
    Graph g = sample();
    g.moveBefore(g.last(), g.first());
    var e = assertThrows(VerificationException.class,
        () -> manager("dce", opts().withPrintIrBeforeAll(true)).run(g));
    assertEquals("graph @g is invalid (1 problem)", e.getMessage());
    assertEquals("", output());
  }

  @Test
  void emptyPipelineOnlyVerifies() {
    PassManager.Result r = manager("", opts().withPassTiming(true)).run(sample());
    assertFalse(r.changed());
    assertTrue(r.runs().isEmpty());
  }

  @Test
  void dumpIrDirAloneKeepsTheInputAndTheIrAfterEachPass(@TempDir Path tmp) throws IOException {
    Path dir = tmp.resolve("dumps/nested");
    Graph g = sample();
    String input = IrPrinter.toText(g, PrintOptions.dump());
    manager("canonicalize,fold-constants,dce", opts().withDumpIrDir(dir)).run(g);
    assertEquals(List.of("00-input.cir", "01-after-canonicalize.cir", "02-after-fold-constants.cir",
        "03-after-dce.cir"), list(dir));
    assertEquals(input, Files.readString(dir.resolve("00-input.cir")));
    assertEquals(SAMPLE_AFTER_CANONICALIZE, Files.readString(dir.resolve("01-after-canonicalize.cir")));
    assertEquals(SAMPLE_AFTER_FOLD, Files.readString(dir.resolve("02-after-fold-constants.cir")));
    assertEquals(SAMPLE_AFTER_DCE, Files.readString(dir.resolve("03-after-dce.cir")));
    assertEquals("", output());
  }

  @Test
  void dumpIrDirTakesTheSelectedDumps(@TempDir Path dir) throws IOException {
    manager("canonicalize,fold-constants,dce", opts().withDumpIrDir(dir).withPrintIrBefore("dce")
        .withPrintIrAfter("canonicalize")).run(sample());
    assertEquals(List.of("00-input.cir", "01-after-canonicalize.cir", "03-before-dce.cir"), list(dir));
    assertEquals(SAMPLE_AFTER_FOLD, Files.readString(dir.resolve("03-before-dce.cir")));
  }

  @Test
  void dumpIrDirKeepsTheIrAtFailure(@TempDir Path dir) throws IOException {
    assertThrows(PassException.class, () -> manager("dce,fail-on-div",
        opts().withDumpIrDir(dir).withPrintIrAfterFailure(true)).run(withDivision(true)));
    assertEquals(List.of("00-input.cir", "02-after-fail-on-div-failed.cir"), list(dir));
  }

  @Test
  void dumpNumbersWidenForLongPipelines(@TempDir Path dir) {
    manager(String.join(",", java.util.Collections.nCopies(100, "noop")), opts().withDumpIrDir(dir)).run(sample());
    List<String> files = list(dir);
    assertEquals(101, files.size());
    assertEquals("000-input.cir", files.get(0));
    assertEquals("100-after-noop.cir", files.get(100));
  }

  private static List<String> list(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void passTimingPrintsAnMlirStyleTable() {
    manager("canonicalize,fold-constants,dce", opts().withPassTiming(true)).run(sample());
    String[] lines = output().split("\n", -1);
    String rule = "===-------------------------------------------------------------------------===";
    assertEquals(rule, lines[0]);
    assertEquals("                     ... Pass execution timing report ...", lines[1]);
    assertEquals(rule, lines[2]);
    assertTrue(lines[3].matches("  Total Execution Time: \\d+\\.\\d{4} seconds"), lines[3]);
    assertEquals("", lines[4]);
    assertEquals("  ----Wall Time----  ----Name----", lines[5]);
    Pattern row = Pattern.compile(" {2,}\\d+\\.\\d{4} \\( *\\d+\\.\\d%\\)  (\\w+)");
    List<String> names = new ArrayList<>();
    for (int i = 6; i < 11; i++) {
      var m = row.matcher(lines[i]);
      assertTrue(m.matches(), lines[i]);
      names.add(m.group(1));
    }
    assertEquals(List.of("Canonicalize", "FoldConstants", "DeadCodeElimination", "Verifier", "Total"), names);
    assertTrue(lines[10].contains("(100.0%)  Total"));
    assertEquals(List.of("", ""), List.of(lines[11], lines[12]));
    assertEquals(13, lines.length);
  }

  @Test
  void timingHasNoVerifierRowWithoutVerifyEach() {
    manager("dce", opts().withPassTiming(true).withVerifyEach(false)).run(sample());
    assertFalse(output().contains("Verifier"));
    assertTrue(output().contains("  DeadCodeElimination\n"));
  }

  @Test
  void passStatisticsPrintsEveryPassInPipelineOrder() {
    manager("canonicalize,fold-constants,dce,count,noop", opts().withPassStatistics(true)).run(sample());
    assertEquals("""
        ===-------------------------------------------------------------------------===
                                ... Pass statistics report ...
        ===-------------------------------------------------------------------------===
        Canonicalize (canonicalize)
          (S) 0 folds-applied - nodes replaced by the value an op folder returned
          (S) 0 patterns-applied - canonicalization patterns applied
          (S) 1 nodes-erased - dead pure nodes erased
          (S) 0 shape-nodes-folded - integer (shape) nodes evaluated into constants
          (S) 0 nodes-merged - common subexpressions merged
        FoldConstants (fold-constants)
          (S) 1 nodes-folded - nodes replaced by constants
        DeadCodeElimination (dce)
          (S) 2 nodes-erased - pure nodes erased because their results were unused
        Count (count)
          (S) 2 nodes-seen - nodes in the graph
          (S) 1 runs - times run
        Noop (noop)

        """, output());
  }

  @Test
  void statisticsValuesAlignWithinAPass() {
    var runs = List.of(new PassRun(TestPasses.COUNT.create(), 0, false, Map.of("nodes-seen", 1234L, "runs", 1L),
        0, 0));
    assertTrue(PassStatisticsInstrumentation.report(runs).contains("""
        Count (count)
          (S) 1234 nodes-seen - nodes in the graph
          (S)    1 runs - times run
        """));
  }

  @Test
  void statisticsComeBeforeTiming() {
    manager("dce", opts().withPassTiming(true).withPassStatistics(true)).run(sample());
    String o = output();
    assertTrue(o.indexOf("Pass statistics report") < o.indexOf("Pass execution timing report"), o);
  }

  /** A 32-element constant, elided in dumps by default. */
  static Graph withLargeConstant() {
    var b = new GraphBuilder("big", Dialects.standard());
    Value x = b.input("x", TensorType.f32(32));
    b.output(b.named("y", "graph.add", Attributes.EMPTY, x, b.constant("w", Tensor.zeros(TensorType.f32(32)))));
    return b.build();
  }

  @Test
  void dumpsElideLargeConstantsUnlessConfigured() {
    manager("noop", opts().withPrintIrAfterAll(true)).run(withLargeConstant());
    assertTrue(output().contains("  %w = const dense<0.0> : tensor<32xf32>\n"), output());
    bytes.reset();
    Graph g = withLargeConstant();
    float[] ramp = new float[32];
    for (int i = 0; i < 32; i++) {
      ramp[i] = i;
    }
    g.value("w").producer().setAttribute("value",
        new dev.cimc.ir.attr.Attribute.TensorAttr(Tensor.ofFloats(new int[] {32}, ramp)));
    manager("noop", opts().withPrintIrAfterAll(true)).run(g);
    assertTrue(output().contains("  %w = const @w : tensor<32xf32>\n"), output());
    bytes.reset();
    manager("noop", opts().withPrintIrAfterAll(true).withPrintOptions(PrintOptions.dump().withInlineLimit(64))).run(g);
    assertTrue(output().contains("  %w = const dense<[0.0, 1.0, 2.0,"), output());
  }

  @Test
  void afterChangeSeesChangesInsideElidedConstants() {
    PassDef bump = TestPasses.def("bump-blob", "BumpBlob", (g, c) -> {
      var n = g.value("w").producer();
      float[] v = ((dev.cimc.ir.attr.Attribute.TensorAttr) n.attr("value")).value().toFloatArray();
      v[31] += 1;
      n.setAttribute("value", new dev.cimc.ir.attr.Attribute.TensorAttr(Tensor.ofFloats(new int[] {32}, v)));
      return false;
    }).build();
    Graph g = withLargeConstant();
    float[] ramp = new float[32];
    for (int i = 0; i < 32; i++) {
      ramp[i] = i;
    }
    g.value("w").producer().setAttribute("value",
        new dev.cimc.ir.attr.Attribute.TensorAttr(Tensor.ofFloats(new int[] {32}, ramp)));
    new PassManager(PassPipeline.parse("noop,bump-blob", REGISTRY.with(bump)),
        opts().withOut(out).withPrintIrAfterChange(true)).run(g);
    assertEquals(List.of("// -----// IR Dump After BumpBlob (bump-blob) //----- //"), headers());
  }

  @Test
  void resultReportsEachPassRun() {
    PassManager.Result r = manager("canonicalize,fold-constants,dce,noop", opts()).run(sample());
    assertEquals(List.of(true, true, true, false), r.runs().stream().map(PassRun::changed).toList());
    assertEquals(Map.of("nodes-folded", 1L), r.runs().get(1).statistics());
    assertEquals(List.of(0, 1, 2, 3), r.runs().stream().map(PassRun::index).toList());
  }

  @Test
  void runsShareNoState() {
    PassManager pm = manager("canonicalize,fold-constants,dce", opts().withPassStatistics(true));
    PassManager.Result first = pm.run(sample());
    String report = output();
    bytes.reset();
    PassManager.Result second = pm.run(sample());
    assertEquals(report, output());
    assertEquals(first.runs().get(2).statistics(), second.runs().get(2).statistics());
  }

  /** Records hook calls as "name:hook:pass". */
  private record Recorder(String name, List<String> events) implements PassInstrumentation {
    @Override
    public void runBeforePipeline(Graph graph, PassPipeline pipeline) {
      events.add(name + ":beforePipeline");
    }

    @Override
    public void runBeforePass(Pass pass, int index, Graph graph) {
      events.add(name + ":before:" + pass.name() + "#" + index);
    }

    @Override
    public void runAfterPass(PassRun run, Graph graph) {
      events.add(name + ":after:" + run.pass().name() + "#" + run.index());
    }

    @Override
    public void runAfterPassFailed(Pass pass, int index, Graph graph, RuntimeException failure) {
      events.add(name + ":failed:" + pass.name() + "#" + index);
    }

    @Override
    public void runAfterPipeline(Graph graph, List<PassRun> runs) {
      events.add(name + ":afterPipeline:" + runs.size());
    }
  }

  @Test
  void instrumentationsNest() {
    var events = new ArrayList<String>();
    manager("dce,noop", opts()).withInstrumentation(new Recorder("a", events))
        .withInstrumentation(new Recorder("b", events)).run(sample());
    assertEquals(List.of("a:beforePipeline", "b:beforePipeline",
        "a:before:dce#0", "b:before:dce#0", "b:after:dce#0", "a:after:dce#0",
        "a:before:noop#1", "b:before:noop#1", "b:after:noop#1", "a:after:noop#1",
        "b:afterPipeline:2", "a:afterPipeline:2"), events);
  }

  @Test
  void failedHooksRunInReverseAndPipelineEndIsSkipped() {
    var events = new ArrayList<String>();
    PassManager pm = manager("dce,fail-on-div,noop", opts()).withInstrumentation(new Recorder("a", events))
        .withInstrumentation(new Recorder("b", events));
    assertThrows(PassException.class, () -> pm.run(withDivision(false)));
    assertEquals(List.of("a:beforePipeline", "b:beforePipeline",
        "a:before:dce#0", "b:before:dce#0", "b:after:dce#0", "a:after:dce#0",
        "a:before:fail-on-div#1", "b:before:fail-on-div#1", "b:failed:fail-on-div#1", "a:failed:fail-on-div#1"),
        events);
  }

  @Test
  void printNamesAreCheckedAgainstTheRegistry() {
    var e = assertThrows(dev.cimc.ir.diag.CimcException.class,
        () -> opts().withPrintIrAfter("dcee").checkPassNames(REGISTRY));
    assertEquals("error: unknown pass 'dcee'\nhint: did you mean 'dce'?", e.render());
    opts().withPrintIrBefore("dce", "canonicalize").checkPassNames(REGISTRY);
  }

  @Test
  void defaultsVerifyAndPrintNothing() {
    PassManager.Options d = PassManager.Options.defaults();
    assertTrue(d.verifyEach());
    assertFalse(d.passTiming());
    assertNull(d.dumpIrDir());
    assertEquals(PrintOptions.dump(), d.printOptions());
  }
}
