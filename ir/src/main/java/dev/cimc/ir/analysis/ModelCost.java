package dev.cimc.ir.analysis;

import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.type.TensorType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The parameter count and multiply-accumulate (MAC) count of a graph-dialect graph, counted the way
 * PyTorch model zoos quote them (torchvision's ResNet-18: 11,689,512 parameters, 1,814,073,344 MACs at
 * 224×224).
 *
 * <p>Parameters are the elements of the constants a weight layer reads in its weight slots: the weights
 * and bias of convolutions, the operands of gemm, the constant operands of matmul, the scale and shift of
 * batch, layer and instance normalization (not batch norm's running mean and variance, which PyTorch
 * keeps as buffers), the slope of prelu, the table of gather, and a constant added to a matmul's result
 * (a linear layer's bias). A constant reached through reshape, transpose, cast and the like counts as
 * well. Each constant counts once however many layers share it.
 *
 * <p>MACs are those of convolutions, gemm and matmul (activation × activation products included):
 * one per multiply of the op's definition. Elementwise ops, normalization and pooling count none.
 *
 * @param parameters the number of parameters
 * @param macs the number of multiply-accumulates of one run
 * @param layers the nodes that count, in graph order
 * @param exact false when some counted node has a dynamic shape (its MACs are left out)
 */
public record ModelCost(long parameters, long macs, List<LayerCost> layers, boolean exact) {

  /**
   * What one node contributes.
   *
   * @param value the node's first result name
   * @param op the op's full name
   * @param parameters parameters first counted at this node
   * @param macs the node's MACs
   */
  public record LayerCost(String value, String op, long parameters, long macs) {}

  public ModelCost {
    layers = List.copyOf(layers);
  }

  private static final Map<String, int[]> WEIGHT_SLOTS = Map.ofEntries(
      Map.entry("graph.conv1d", new int[] {1, 2}),
      Map.entry("graph.conv2d", new int[] {1, 2}),
      Map.entry("graph.conv_transpose1d", new int[] {1, 2}),
      Map.entry("graph.conv_transpose2d", new int[] {1, 2}),
      Map.entry("graph.gemm", new int[] {0, 1, 2}),
      Map.entry("graph.matmul", new int[] {0, 1}),
      Map.entry("graph.batch_norm", new int[] {1, 2}),
      Map.entry("graph.layer_norm", new int[] {1, 2}),
      Map.entry("graph.instance_norm", new int[] {1, 2}),
      Map.entry("graph.prelu", new int[] {1}),
      Map.entry("graph.gather", new int[] {0}));

  /** Ops that pass a constant through unchanged in content (only its layout or type changes). */
  private static final Set<String> VIEWS = Set.of("graph.reshape", "graph.transpose", "graph.cast",
      "graph.identity", "graph.squeeze", "graph.unsqueeze", "graph.flatten", "q.dequantize");

  /** Counts parameters and MACs of {@code g}. */
  public static ModelCost of(Graph g) {
    Set<Value> counted = Collections.newSetFromMap(new IdentityHashMap<>());
    var layers = new ArrayList<LayerCost>();
    long params = 0;
    long macs = 0;
    boolean exact = true;
    for (Node n = g.first(); n != null; n = n.next()) {
      String op = n.op().fullName();
      long p = 0;
      int[] slots = WEIGHT_SLOTS.get(op);
      if (slots != null) {
        for (int i : slots) {
          if (i < n.numOperands()) {
            p += countConstant(n.operand(i), counted);
          }
        }
      } else if (op.equals("graph.add") && n.numOperands() == 2) {
        for (int i = 0; i < 2; i++) {
          Node other = n.operand(1 - i).producer();
          if (other != null && other.op().fullName().equals("graph.matmul")) {
            p += countConstant(n.operand(i), counted);
          }
        }
      }
      long m = macsOf(n, op);
      if (m < 0) {
        exact = false;
        m = 0;
      }
      if (p > 0 || m > 0) {
        layers.add(new LayerCost(n.numResults() > 0 ? n.result(0).name() : "", op, p, m));
      }
      params += p;
      macs += m;
    }
    return new ModelCost(params, macs, layers, exact);
  }

  /** The elements of the constant behind {@code v} if not counted yet, else 0. */
  private static long countConstant(Value v, Set<Value> counted) {
    Value c = v;
    while (c.producer() != null && VIEWS.contains(c.producer().op().fullName())) {
      c = c.producer().operand(0);
    }
    Node producer = c.producer();
    if (producer == null || !producer.op().fullName().equals("const") || !counted.add(c)) {
      return 0;
    }
    return c.type().shape().isStatic() ? c.type().numel() : 0;
  }

  /** MACs of one node, 0 for ops without multiplies, -1 when a shape is dynamic. */
  private static long macsOf(Node n, String op) {
    switch (op) {
      case "graph.conv1d":
      case "graph.conv2d":
        return product(n.result(0).type(), n.operand(1).type(), 1);
      case "graph.conv_transpose1d":
      case "graph.conv_transpose2d":
        return product(n.operand(0).type(), n.operand(1).type(), 1);
      case "graph.gemm": {
        TensorType a = n.operand(0).type();
        long k = a.dim(n.intAttr("trans_a") != 0 ? 0 : 1);
        TensorType out = n.result(0).type();
        return k < 0 || !out.shape().isStatic() ? -1 : out.numel() * k;
      }
      case "graph.matmul": {
        TensorType a = n.operand(0).type();
        long k = a.dim(a.rank() - 1);
        TensorType out = n.result(0).type();
        return k < 0 || !out.shape().isStatic() ? -1 : out.numel() * k;
      }
      default:
        return 0;
    }
  }

  /** numel({@code out}) × the product of {@code w}'s dimensions from {@code from} on. */
  private static long product(TensorType out, TensorType w, int from) {
    if (!out.shape().isStatic()) {
      return -1;
    }
    long m = out.numel();
    for (int i = from; i < w.rank(); i++) {
      if (w.dim(i) < 0) {
        return -1;
      }
      m *= w.dim(i);
    }
    return m;
  }
}
