package dev.cimc.frontend.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.dialect.Dialects;
import dev.cimc.ir.graph.GraphBuilder;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.TensorType;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The -O1 benchmark measures what it says: every pass, the import, and a pipeline that did its work. */
class PipelineBenchmarkTest {
  @Test
  void reportsEveryPassOfO1AndTheRatioToTheImport(@TempDir Path dir) {
    var b = new GraphBuilder("convbn", Dialects.standard());
    Value x = b.input("x", TensorType.f32(1, 2, 5, 5));
    Value w = b.constant("w", Tensor.ofFloats(new int[] {3, 2, 1, 1}, 1, 2, 3, 4, 5, 6));
    Value c = b.named("c", "graph.conv2d", Attributes.EMPTY, x, w);
    var p = new Value[4];
    for (int i = 0; i < 4; i++) {
      p[i] = b.constant("p" + i, Tensor.ofFloats(new int[] {3}, 1 + i, 2 + i, 3 + i));
    }
    Value y = b.named("y", "graph.batch_norm", Attributes.of("epsilon", Attribute.of(1e-5)), c, p[0], p[1], p[2], p[3]);
    Path model = dir.resolve("convbn.onnx");
    OnnxExporter.export(b.output(y).build(), model);

    PipelineBenchmark.Report r = PipelineBenchmark.o1(model, 1, 0, 3);
    assertEquals(List.of("canonicalize", "fold-constants", "dce", "fold-batch-norm", "canonicalize"),
        r.passes().stream().map(PipelineBenchmark.PassTime::name).toList());
    assertEquals(7, r.nodes(), "weight, conv, batch norm and its four parameters");
    assertEquals(3, r.nodesAfter(), "weight, bias, conv: the batch norm folded into the conv");
    assertTrue(r.importMillis() > 0 && r.pipelineMillis() > 0 && r.importCpuMillis() >= 0);
    double passes = 0;
    for (PipelineBenchmark.PassTime t : r.passes()) {
      passes += t.medianMillis();
    }
    assertTrue(r.pipelineMillis() >= r.verifyMillis() && r.passesMillis() <= r.pipelineMillis(),
        "parts of the pipeline are no larger than it: " + r);
    assertTrue(passes > 0);
    assertEquals(r.pipelineMillis() / r.importMillis(), r.ratio(), 1e-12);
    String text = r.format();
    assertTrue(text.contains("% of import") && text.contains("fold-batch-norm"), text);
  }
}
