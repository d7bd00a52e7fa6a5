package dev.cimc.ir.transform;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.GraphBuilder;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.pass.Pass;
import dev.cimc.ir.pass.PassContext;
import dev.cimc.ir.pass.PassDef;
import dev.cimc.ir.pass.PassOption;
import dev.cimc.ir.pass.PassOptions;
import dev.cimc.ir.type.TensorType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * High-bias absorption (Nagel et al. 2019, section 4.2). Equalization divides channels by small factors
 * and so inflates biases, and with them the activation ranges quantization must cover. For a layer pair
 * {@code first → relu → second} where fold-batch-norm recorded the first layer's output statistics,
 * {@code c_i = max(0, mean_i − sigmas·std_i)} is a level channel i (almost) always exceeds; since
 * {@code relu(y − c) + c = relu(y)} wherever {@code y ≥ c}, c moves out of the first layer's bias and into
 * the second's ({@code b2 += W2·c}).
 *
 * <p>The rewrite is exact for every input whose pre-activation stays at or above c, which the statistics
 * make likely, not certain: it is the one approximate pass of the -O2 graph pipeline. It accepts a relu
 * (optionally followed by a per-channel min, what equalization makes of relu6) or a clip with lower bound 0
 * (rewritten as relu and a per-channel min with the upper bound lowered by c). A padded second layer would
 * add W2·c where its input has padding zeros, so padded convolutions are refused; so are other activations
 * and layers without recorded statistics.
 */
public final class BiasAbsorption extends Pass {
  public static final PassDef DEF = PassDef.builder("bias-absorption", "BiasAbsorption")
      .summary("move the part of a layer's output its relu always passes (from bn_stats) into the next layer's bias")
      .option(PassOption.doubleOption("sigmas", 3.0, "absorb c = max(0, mean - sigmas·std) per channel"))
      .requires(FoldBatchNorm.DEF.name())
      .statistic("pairs-absorbed", "layer pairs whose biases moved")
      .statistic("channels-absorbed", "channels with a positive absorbed amount")
      .statistic("refused-padding", "pairs left alone because the second layer pads its input")
      .statistic("refused-activation", "pairs left alone because no relu (or clip from 0) lies between them")
      .statistic("no-statistics", "pairs left alone because the first layer has no bn_stats")
      .factory(BiasAbsorption::new)
      .build();

  private BiasAbsorption(PassOptions options) {
    super(DEF, options);
  }

  @Override
  public boolean run(Graph graph, PassContext context) {
    double sigmas = options().getDouble("sigmas");
    Set<ChannelLayer> touched = Collections.newSetFromMap(new IdentityHashMap<>());
    var order = new ArrayList<ChannelLayer>();
    var rewrites = new ArrayList<Runnable>();
    for (LayerPair p : LayerPair.find(graph)) {
      double[][] stats = p.first().bnStats();
      if (!relu(p.chain())) {
        context.increment("refused-activation");
        continue;
      }
      if (stats == null) {
        context.increment("no-statistics");
        continue;
      }
      if (p.second().isPadded()) {
        context.increment("refused-padding");
        continue;
      }
      int n = p.first().outChannels();
      double[] upper = upperBounds(p.chain(), n);
      double[] c = new double[n];
      int positive = 0;
      for (int i = 0; i < n; i++) {
        c[i] = Math.min(Math.max(0, stats[0][i] - sigmas * stats[1][i]), upper[i]);
        positive += c[i] > 0 ? 1 : 0;
      }
      if (positive == 0) {
        continue;
      }
      // relu(y - c) + c = relu(y) and min(y - c, u - c) + c = min(y, u) for y ≥ c
      double[] minus = new double[n];
      for (int i = 0; i < n; i++) {
        minus[i] = -c[i];
        stats[0][i] -= c[i];
      }
      double[] delta = p.second().responseTo(c);
      p.first().addToBias(minus);
      p.second().addToBias(delta);
      for (ChannelLayer l : List.of(p.first(), p.second())) {
        if (touched.add(l)) {
          order.add(l);
        }
      }
      ChannelLayer first = p.first();
      List<Node> chain = p.chain();
      rewrites.add(() -> {
        first.setBnStats(stats);
        lowerUpperBounds(chain, upper, c, context);
      });
      context.increment("pairs-absorbed");
      context.add("channels-absorbed", positive);
    }
    for (ChannelLayer l : order) {
      l.writeBack();
    }
    rewrites.forEach(Runnable::run);
    return !order.isEmpty();
  }

  /** relu, relu then a min against constants, or a clip with lower bound 0. */
  private static boolean relu(List<Node> chain) {
    if (chain.isEmpty()) {
      return false;
    }
    Node head = chain.get(0);
    if (head.op().fullName().equals("graph.clip")) {
      Attribute lo = head.attr("min");
      return chain.size() == 1 && lo instanceof Attribute.FloatAttr f && f.value() == 0;
    }
    if (!head.op().fullName().equals("graph.relu")) {
      return false;
    }
    for (int i = 1; i < chain.size(); i++) {
      if (!chain.get(i).op().fullName().equals("graph.min")) {
        return false;
      }
    }
    return true;
  }

  /** The smallest upper bound per channel the chain applies (+∞ if none). */
  private static double[] upperBounds(List<Node> chain, int n) {
    double[] u = new double[n];
    java.util.Arrays.fill(u, Double.POSITIVE_INFINITY);
    for (Node m : chain) {
      double[] b = null;
      if (m.op().fullName().equals("graph.min")) {
        b = LayerPair.perChannel(Rewrites.of(m.operand(LayerPair.boundOperand(m))), m.result().type().rank(), n);
      } else if (m.op().fullName().equals("graph.clip") && m.attr("max") != null) {
        b = new double[n];
        java.util.Arrays.fill(b, m.floatAttr("max"));
      }
      for (int i = 0; b != null && i < n; i++) {
        u[i] = Math.min(u[i], b[i]);
      }
    }
    return u;
  }

  /** Lowers every upper bound of the chain by c (a clip becomes relu and a per-channel min). */
  private static void lowerUpperBounds(List<Node> chain, double[] upper, double[] c, PassContext context) {
    for (Node m : chain) {
      TensorType t = m.result().type();
      if (m.op().fullName().equals("graph.min")) {
        int b = LayerPair.boundOperand(m);
        double[] v = LayerPair.perChannel(Rewrites.of(m.operand(b)), t.rank(), c.length);
        for (int i = 0; i < v.length; i++) {
          v[i] -= c[i];
        }
        Rewrites.replaceOperand(m, b, CrossLayerEqualization.bound(t, v));
      } else if (m.op().fullName().equals("graph.clip")) {
        var b = GraphBuilder.before(m, context.registry());
        Value v = b.named(m.operand(0).name() + "_relu", "graph.relu", Attributes.EMPTY, m.operand(0));
        if (m.attr("max") != null) {
          double[] u = new double[c.length];
          for (int i = 0; i < u.length; i++) {
            u[i] = upper[i] - c[i];
          }
          v = b.op("graph.min", v, Rewrites.insert(m, "upper", CrossLayerEqualization.bound(t, u)));
        }
        Rewrites.replaceKeepingName(m, v);
      }
    }
  }
}
