package dev.cimc.ir.quant.qat;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.autodiff.FakeQuant;
import dev.cimc.ir.dialect.Builtin;
import dev.cimc.ir.dialect.q.QDialect;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.op.OpRegistry;
import dev.cimc.ir.quant.QuantPlan;
import dev.cimc.ir.quant.QuantScheme;
import dev.cimc.ir.quant.fakequant.Quantize;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The graph QAT differentiates: the float graph run through the {@code quantize} pass with the plan (so the
 * training forward is exactly what will be lowered to integers), then each quantized weight constant put
 * back as its float constant followed by {@code q.quantize → q.dequantize} (so the weights train), and each
 * i32 bias replaced by its float constant (32-bit bias rounding is negligible; the pass requantizes it).
 *
 * <p>Learnable quantizers: the weights' (per channel) and each activation quantizer of a value with a plan
 * range. The results of ops that keep their input's parameters (relu, clip, max_pool, data movement) share
 * the quantizer of that input, as the integer ops require; quantizers of other constants and of softmax
 * results stay fixed.
 */
final class TrainingGraph {
  /** Ops whose quantized result reuses the input's parameters (as the quantize pass decides). */
  private static final Set<String> SAME_PARAMS = Set.of("graph.relu", "graph.clip", "graph.max_pool",
      "graph.reshape", "graph.transpose", "graph.flatten", "graph.squeeze", "graph.unsqueeze");

  /** One trainable weight: its float constant, its quantize node's result name, its scheme's code range. */
  record Weight(String constant, String quantizer, long qmin, long qmax) {}

  /** A learnable activation quantizer: the float value it quantizes (plan name) and its code range. */
  record Activation(String quantizer, String value, long qmin, long qmax) {}

  final Graph graph;
  final List<Weight> weights = new ArrayList<>();
  final List<String> biases = new ArrayList<>();
  final List<Activation> activations = new ArrayList<>();
  /** Quantizer name → the learnable quantizer it shares (itself for roots). */
  final Map<String, String> shares = new LinkedHashMap<>();
  /** Initial quantizers by name (roots and weights). */
  final Map<String, FakeQuant> initial = new LinkedHashMap<>();

  TrainingGraph(Graph floatGraph, QuantPlan plan, OpRegistry registry) {
    graph = floatGraph.copy();
    Quantize.apply(graph, plan, registry);
    restoreFloatConstants(floatGraph, plan);
    findActivations(plan);
  }

  private void restoreFloatConstants(Graph floatGraph, QuantPlan plan) {
    for (Node dq : graph.nodes()) {
      if (dq.isErased() || dq.op() != QDialect.DEQUANTIZE) {
        continue;
      }
      Node codes = dq.operand(0).producer();
      if (codes == null || codes.op() != Builtin.CONST) {
        continue;
      }
      String codesName = codes.result().name();
      String name = codesName.endsWith(".q") ? codesName.substring(0, codesName.length() - 2) : null;
      Value orig = name == null ? null : floatGraph.value(name);
      if (orig == null || orig.producer() == null || orig.producer().op() != Builtin.CONST) {
        continue;
      }
      Tensor floats = ((Attribute.TensorAttr) orig.producer().attr("value")).value();
      Node c = graph.insertBefore(codes, Builtin.CONST, List.of(),
          Attributes.of("value", new Attribute.TensorAttr(floats)), List.of(floats.type()),
          List.of(graph.uniqueName(name + ".train")), codes.location());
      if (codes.result().type().elementType() == ElementType.I32) {
        graph.replaceAllUsesWith(dq.result(), c.result());
        graph.erase(dq);
        graph.erase(codes);
        biases.add(c.result().name());
        continue;
      }
      codes.result().rename(graph.uniqueName(codesName + ".codes"));
      Node q = graph.insertAfter(c, QDialect.QUANTIZE, List.of(c.result()), Attributes.EMPTY,
          List.of(codes.result().type()), List.of(graph.uniqueName(name + ".fq")), codes.location());
      dq.setOperand(0, q.result());
      graph.erase(codes);
      QuantScheme s = plan.weightScheme(name);
      var fq = FakeQuant.of(q.result().type().quant(), s.qmin(), s.qmax(), s.powerOfTwoScale());
      weights.add(new Weight(c.result().name(), q.result().name(), s.qmin(), s.qmax()));
      initial.put(q.result().name(), fq);
      shares.put(q.result().name(), q.result().name());
    }
  }

  private void findActivations(QuantPlan plan) {
    for (Node q = graph.first(); q != null; q = q.next()) {
      if (q.op() != QDialect.QUANTIZE || shares.containsKey(q.result().name())) {
        continue;
      }
      Value x = q.operand(0);
      Node p = x.producer();
      if (p != null && p.op() == Builtin.CONST) {
        continue; // a constant quantized as an activation: its parameters come from its values
      }
      String root = tiedTo(q);
      if (root != null) {
        shares.put(q.result().name(), root);
        continue;
      }
      String value = x.name();
      if (plan.range(value) == null && value.endsWith(".f")) {
        value = value.substring(0, value.length() - 2); // a graph output renamed by the pass
      }
      if (plan.range(value) == null) {
        continue; // fixed parameters (softmax results)
      }
      QuantScheme s = plan.activationScheme(value);
      var et = q.result().type().elementType();
      activations.add(new Activation(q.result().name(), value, s.qmin(), s.qmax()));
      // The forward clamps to the code type's range, as q.quantize does.
      initial.put(q.result().name(), FakeQuant.of(q.result().type().quant(), et.minValue(), et.maxValue(),
          s.powerOfTwoScale()));
      shares.put(q.result().name(), q.result().name());
    }
  }

  /** The learnable quantizer the result quantizer {@code q} must share, or null. */
  private String tiedTo(Node q) {
    Node op = q.operand(0).producer();
    if (op == null || !SAME_PARAMS.contains(op.op().fullName()) || op.numOperands() < 1) {
      return null;
    }
    Node dq = op.operand(0).producer();
    if (dq == null || dq.op() != QDialect.DEQUANTIZE) {
      return null;
    }
    Node q0 = dq.operand(0).producer();
    if (q0 == null || q0.op() != QDialect.QUANTIZE || !q0.result().type().quant().equals(q.result().type().quant())) {
      return null;
    }
    return shares.get(q0.result().name());
  }
}
