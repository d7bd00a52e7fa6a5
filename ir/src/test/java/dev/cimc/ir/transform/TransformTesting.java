package dev.cimc.ir.transform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.dialect.Builtin;
import dev.cimc.ir.dialect.graph.GraphDialect;
import dev.cimc.ir.dialect.q.QDialect;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.interp.Interpreter;
import dev.cimc.ir.op.Dialect;
import dev.cimc.ir.op.InferenceException;
import dev.cimc.ir.op.OpDef;
import dev.cimc.ir.op.OpRegistry;
import dev.cimc.ir.op.Trait;
import dev.cimc.ir.pass.PassManager;
import dev.cimc.ir.pass.PassPipeline;
import dev.cimc.ir.pass.PassRegistry;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.text.IrPrinter;
import dev.cimc.ir.text.PrintOptions;
import dev.cimc.ir.type.TensorType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Shared machinery of the pass tests: a test dialect, running pipelines, and interpreter comparisons. */
final class TransformTesting {
  private TransformTesting() {}

  /** {@code test.idiv}: elementwise a / b that refuses a zero divisor (as an integer division would). */
  static final OpDef IDIV = OpDef.builder("test", "idiv")
      .operands("a", "b")
      .traits(Trait.PURE)
      .infer(ctx -> List.of(ctx.operand(0)))
      .kernel((ctx, in) -> {
        float[] a = in[0].floats();
        float[] b = in[1].floats();
        float[] z = new float[a.length];
        for (int i = 0; i < a.length; i++) {
          if (b[i] == 0) {
            throw new InferenceException("integer division by zero at element " + i);
          }
          z[i] = a[i] / b[i];
        }
        return new Tensor[] {Tensor.wrap(in[0].type(), z)};
      })
      .build();

  /** {@code test.effect}: returns its operand but is not pure (stands for an op with side effects). */
  static final OpDef EFFECT = OpDef.builder("test", "effect")
      .operands("x")
      .infer(ctx -> List.of(ctx.operand(0)))
      .kernel((ctx, in) -> new Tensor[] {in[0]})
      .build();

  /** {@code test.split}: two results, x and -x. */
  static final OpDef SPLIT = OpDef.builder("test", "split")
      .operands("x")
      .results(2)
      .traits(Trait.PURE)
      .infer(ctx -> List.of(ctx.operand(0), ctx.operand(0)))
      .kernel((ctx, in) -> new Tensor[] {in[0], negate(in[0])})
      .build();

  /** {@code test.neg}: -x, with the folder neg(neg(x)) = x. */
  static final OpDef NEG = OpDef.builder("test", "neg")
      .operands("x")
      .traits(Trait.PURE, Trait.INVOLUTION)
      .infer(ctx -> List.of(ctx.operand(0)))
      .kernel((ctx, in) -> new Tensor[] {negate(in[0])})
      // neg(neg(x)) = x
      .folder(n -> {
        var inner = n.operand(0).producer();
        return inner != null && inner.op() == n.op() ? inner.operand(0) : null;
      })
      .build();

  static final OpRegistry OPS = OpRegistry.of(List.of(Builtin.dialect(), GraphDialect.create(), QDialect.create(),
      new Dialect("test", "ops for pass tests", List.of(IDIV, EFFECT, SPLIT, NEG))));

  private static Tensor negate(Tensor t) {
    float[] a = t.floats();
    float[] z = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      z[i] = -a[i];
    }
    return Tensor.wrap(t.type(), z);
  }

  /** Runs a pipeline (verify-each on) over {@code g} in place. */
  static PassManager.Result run(Graph g, String pipeline) {
    return new PassManager(PassPipeline.parse(pipeline, PassRegistry.standard()), PassManager.Options.defaults(), OPS)
        .run(g);
  }

  /** The graph as text with constants inline up to 64 elements. */
  static String text(Graph g) {
    return IrPrinter.toText(g, PrintOptions.defaults().withInlineLimit(64));
  }

  static Attributes shape(long... dims) {
    return Attributes.of("shape", Attribute.ints(dims));
  }

  static Attributes perm(long... p) {
    return Attributes.of("perm", Attribute.ints(p));
  }

  static Tensor random(Random rnd, int... dims) {
    int n = 1;
    for (int d : dims) {
      n *= d;
    }
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) rnd.nextGaussian();
    }
    return Tensor.ofFloats(dims, v);
  }

  /**
   * Runs {@code pipeline} on a copy of {@code original} and checks, on several random inputs, that the
   * interpreter gives bit-identical outputs (by position) before and after. Returns the transformed copy.
   */
  static Graph assertSameOutputs(Graph original, String pipeline) {
    Graph after = original.copy();
    run(after, pipeline);
    assertEquals(original.outputs().size(), after.outputs().size());
    var rnd = new Random(42);
    try (var interp = Interpreter.withThreads(1)) {
      for (int trial = 0; trial < 5; trial++) {
        var inputs = new LinkedHashMap<String, Tensor>();
        for (Value in : original.inputs()) {
          inputs.put(in.name(), random(rnd, in.type().shape().dims()));
        }
        var afterInputs = new LinkedHashMap<String, Tensor>();
        for (Value in : after.inputs()) {
          afterInputs.put(in.name(), inputs.get(in.name()));
        }
        List<Tensor> expected = outputsByPosition(original, interp.run(original, inputs));
        List<Tensor> actual = outputsByPosition(after, interp.run(after, afterInputs));
        for (int i = 0; i < expected.size(); i++) {
          assertTrue(expected.get(i).contentEquals(actual.get(i)),
              "output " + i + " differs after " + pipeline + ": " + expected.get(i) + " vs " + actual.get(i));
        }
      }
    }
    return after;
  }

  /** Outputs in graph-output order (a value returned twice appears once in the interpreter's map). */
  private static List<Tensor> outputsByPosition(Graph g, Map<String, Tensor> byName) {
    var l = new ArrayList<Tensor>();
    for (Value o : g.outputs()) {
      l.add(byName.get(o.name()));
    }
    return l;
  }

  static TensorType f32(int... dims) {
    return TensorType.f32(dims);
  }
}
