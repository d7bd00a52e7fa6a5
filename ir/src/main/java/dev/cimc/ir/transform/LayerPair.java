package dev.cimc.ir.transform;

import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.TensorType;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Two layers in a row, {@code first → activations → second}, where {@code first}'s output channels are
 * {@code second}'s input channels and nothing else reads what lies between: the unit of cross-layer
 * equalization and bias absorption. The chain holds ops that commute with a positive per-channel scale:
 * relu, leaky_relu, clip and min/max against a scalar or per-channel constant (with their bounds scaled),
 * max, average and global pooling, and a flatten or reshape of {@code N×C×1×…} to {@code N×C} (so a conv
 * pairs with the classifier gemm behind a global pool). An empty chain is a direct connection.
 *
 * @param first the producing layer
 * @param chain the elementwise nodes between them, in order (first's reader first)
 * @param second the consuming layer, reading the chain's last result (or first's result) as operand 0
 */
record LayerPair(ChannelLayer first, List<Node> chain, ChannelLayer second) {
  /** Longest activation chain considered between two layers. */
  private static final int MAX_CHAIN = 4;

  /**
   * Every pair in the graph, in graph order of the second layer. A layer is shared between the pair
   * where it is second and the pair where it is first, so equalizing both sees one weight copy.
   */
  static List<LayerPair> find(Graph g) {
    Map<Node, ChannelLayer> layers = new IdentityHashMap<>();
    var pairs = new ArrayList<LayerPair>();
    for (Node n = g.first(); n != null; n = n.next()) {
      ChannelLayer second = layer(n, layers);
      if (second == null || (second.isGemm() && n.intAttr("trans_a") != 0)) {
        continue;
      }
      Value v = n.operand(0);
      var chain = new ArrayList<Node>();
      Node p = v.producer();
      while (p != null && chain.size() < MAX_CHAIN && isChainElement(p) && Rewrites.hasSingleUse(v)) {
        chain.add(0, p);
        v = p.operand(activationOperand(p));
        p = v.producer();
      }
      if (p == null || !Rewrites.hasSingleUse(v)) {
        continue;
      }
      ChannelLayer first = layer(p, layers);
      if (first == null || first == second || first.outChannels() != second.inChannels()
          || !chainFits(chain, p.result().type(), first.outChannels())) {
        continue;
      }
      pairs.add(new LayerPair(first, chain, second));
    }
    return pairs;
  }

  private static ChannelLayer layer(Node n, Map<Node, ChannelLayer> layers) {
    ChannelLayer l = layers.get(n);
    if (l == null && !layers.containsKey(n)) {
      l = ChannelLayer.of(n);
      layers.put(n, l);
    }
    return l;
  }

  /** A per-channel positively homogeneous op: activation, min/max with a constant, pooling, flattening. */
  private static boolean isChainElement(Node n) {
    switch (n.op().fullName()) {
      case "graph.relu", "graph.leaky_relu", "graph.clip", "graph.max_pool", "graph.average_pool",
          "graph.global_average_pool", "graph.global_max_pool" -> {
        return n.result().type().elementType().isFloat();
      }
      case "graph.flatten", "graph.reshape" -> {
        return channelsToColumns(n);
      }
      case "graph.min", "graph.max" -> {
        return n.numOperands() == 2 && boundOperand(n) >= 0;
      }
      default -> {
        return false;
      }
    }
  }

  /** N×C×1×… to N×C: channel c becomes column c. */
  private static boolean channelsToColumns(Node n) {
    TensorType in = n.operand(0).type();
    TensorType out = n.result().type();
    if (in.rank() < 3 || out.rank() != 2 || !in.shape().isStatic() || out.dim(0) != in.dim(0)
        || out.dim(1) != in.dim(1)) {
      return false;
    }
    for (int i = 2; i < in.rank(); i++) {
      if (in.dim(i) != 1) {
        return false;
      }
    }
    return true;
  }

  /** The operand carrying the activation (the non-constant one for min/max). */
  static int activationOperand(Node n) {
    String op = n.op().fullName();
    if (op.equals("graph.min") || op.equals("graph.max")) {
      return 1 - boundOperand(n);
    }
    return 0;
  }

  /** For min/max: which operand is the constant bound, or -1. */
  static int boundOperand(Node n) {
    boolean c0 = Rewrites.isFloat(n.operand(0));
    boolean c1 = Rewrites.isFloat(n.operand(1));
    return c0 == c1 ? -1 : c0 ? 0 : 1;
  }

  /**
   * Every element keeps the channels on axis 1 and the element type, and min/max bounds are scalars or
   * per-channel vectors.
   */
  private static boolean chainFits(List<Node> chain, TensorType t, int channels) {
    for (Node n : chain) {
      TensorType r = n.result().type();
      if (r.rank() < 2 || r.dim(1) != channels || r.elementType() != t.elementType()) {
        return false;
      }
      String op = n.op().fullName();
      int b = op.equals("graph.min") || op.equals("graph.max") ? boundOperand(n) : -1;
      if (b >= 0 && (!r.equals(n.operand(1 - b).type())
          || perChannel(Rewrites.of(n.operand(b)), r.rank(), channels) == null)) {
        return false;
      }
    }
    return true;
  }

  /**
   * A bound constant as one value per channel (axis 1 of a rank-r activation), or null when it varies
   * along another axis.
   */
  static double[] perChannel(Tensor bound, int rank, int channels) {
    int br = bound.shape().rank();
    if (br > rank) {
      return null;
    }
    boolean varies = false;
    for (int i = 0; i < br; i++) {
      int axis = rank - br + i;
      int d = bound.shape().dim(i);
      if (d != 1 && (axis != 1 || d != channels)) {
        return null;
      }
      varies |= d != 1;
    }
    double[] r = new double[channels];
    for (int c = 0; c < channels; c++) {
      r[c] = bound.getDouble(varies ? c : 0);
    }
    return r;
  }

  /** The shape [C, 1, ...] that broadcasts a per-channel vector along axis 1 of a rank-r activation. */
  static int[] channelShape(int rank, int channels) {
    int[] dims = new int[rank - 1];
    java.util.Arrays.fill(dims, 1);
    dims[0] = channels;
    return dims;
  }
}
