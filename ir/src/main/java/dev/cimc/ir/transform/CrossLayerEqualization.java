package dev.cimc.ir.transform;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.GraphBuilder;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.op.OpRegistry;
import dev.cimc.ir.pass.Pass;
import dev.cimc.ir.pass.PassContext;
import dev.cimc.ir.pass.PassDef;
import dev.cimc.ir.pass.PassOption;
import dev.cimc.ir.pass.PassOptions;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.Shape;
import dev.cimc.ir.type.TensorType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Cross-layer equalization (Nagel et al., "Data-Free Quantization Through Weight Equalization and Bias
 * Correction", ICCV 2019): for two layers in a row ({@link LayerPair}: conv/gemm → relu, leaky_relu, clip,
 * pooling or nothing → conv/gemm, depthwise convolutions included, so conv → depthwise → conv is two
 * overlapping pairs), output channel i of the first is multiplied by 1/s_i and input channel i of the second by s_i,
 * with {@code s_i = √(r1_i · r2_i) / r2_i} and r the channel's largest |weight|. Both channels then have
 * range √(r1_i · r2_i), which per-tensor weight quantization resolves far better when the ranges of a
 * layer's channels were spread apart. Sweeps over all pairs repeat until no factor moves by more than
 * {@code tolerance} (pairs sharing a layer pull against each other).
 *
 * <p>The rewrite is exact because relu, leaky_relu and pooling commute with a positive scale. A clip does not: its
 * bounds must be scaled per channel. With {@code clip=scale-bound} (the default) the clip is rewritten as
 * relu (for a lower bound 0) or a max against per-channel lower bounds, then a min against per-channel
 * upper bounds: relu6 becomes relu followed by {@code min(x, 6/s)}, exact. With {@code clip=refuse} pairs
 * with a clip between them are left as they are. Min/max bounds left by an earlier run are rescaled the
 * same way. Statistics recorded by fold-batch-norm scale with the channels.
 */
public final class CrossLayerEqualization extends Pass {
  public static final PassDef DEF = PassDef.builder("cross-layer-equalization", "CrossLayerEqualization")
      .summary("rescale channels between consecutive conv/gemm layers so their weight ranges match (DFQ)")
      .option(PassOption.intOption("max-sweeps", 100, 1, 100_000, "sweeps over all layer pairs at most"))
      .option(PassOption.doubleOption("tolerance", 1e-6,
          "stop when no scale factor of a sweep differs from 1 by more than this"))
      .option(PassOption.enumOption("clip", "scale-bound", List.of("scale-bound", "refuse"),
          "a clip between two layers: rewrite it with per-channel bounds, or leave the pair alone"))
      .requires(FoldBatchNorm.DEF.name())
      .statistic("pairs-equalized", "layer pairs rescaled")
      .statistic("layers-rescaled", "layers whose weights changed")
      .statistic("sweeps", "sweeps over the pairs until the scales settled")
      .statistic("clips-rewritten", "clips rewritten with per-channel bounds")
      .statistic("bounds-rescaled", "min/max bounds between layers rescaled per channel")
      .statistic("pairs-refused-clip", "pairs left alone because of a clip between them (clip=refuse)")
      .statistic("zero-range-channels", "channels left unscaled because one side's weights are all zero")
      .factory(CrossLayerEqualization::new)
      .build();

  private CrossLayerEqualization(PassOptions options) {
    super(DEF, options);
  }

  @Override
  public boolean run(Graph graph, PassContext context) {
    boolean refuseClips = options().getString("clip").equals("refuse");
    var pairs = new ArrayList<LayerPair>();
    for (LayerPair p : LayerPair.find(graph)) {
      if (refuseClips && p.chain().stream().anyMatch(n -> n.op().fullName().equals("graph.clip"))) {
        context.increment("pairs-refused-clip");
      } else {
        pairs.add(p);
      }
    }
    if (pairs.isEmpty()) {
      return false;
    }
    double[][] total = equalize(pairs, options().getInt("max-sweeps"), options().getDouble("tolerance"), context);
    Set<ChannelLayer> written = Collections.newSetFromMap(new IdentityHashMap<>());
    var layers = new ArrayList<ChannelLayer>();
    for (LayerPair p : pairs) {
      for (ChannelLayer l : List.of(p.first(), p.second())) {
        if (written.add(l)) {
          layers.add(l);
        }
      }
    }
    for (ChannelLayer l : layers) {
      l.writeBack();
    }
    context.add("layers-rescaled", layers.size());
    context.add("pairs-equalized", pairs.size());
    for (int k = 0; k < pairs.size(); k++) {
      LayerPair p = pairs.get(k);
      double[] inv = new double[total[k].length];
      for (int i = 0; i < inv.length; i++) {
        inv[i] = 1 / total[k][i];
      }
      double[][] stats = p.first().bnStats();
      if (stats != null) {
        for (int i = 0; i < inv.length; i++) {
          stats[0][i] *= inv[i];
          stats[1][i] *= inv[i];
        }
        p.first().setBnStats(stats);
      }
      scaleChain(p.chain(), inv, context);
    }
    return true;
  }

  /**
   * Runs the sweeps on the layers' weight copies; returns, per pair, the accumulated factor s of each
   * channel (the first layer's channel was divided by it, the second's multiplied).
   */
  static double[][] equalize(List<LayerPair> pairs, int maxSweeps, double tolerance, PassContext context) {
    double[][] total = new double[pairs.size()][];
    for (int k = 0; k < pairs.size(); k++) {
      total[k] = new double[pairs.get(k).first().outChannels()];
      java.util.Arrays.fill(total[k], 1);
    }
    for (int sweep = 0; sweep < maxSweeps; sweep++) {
      double moved = 0;
      for (int k = 0; k < pairs.size(); k++) {
        LayerPair p = pairs.get(k);
        double[] r1 = p.first().outRanges();
        double[] r2 = p.second().inRanges();
        for (int i = 0; i < r1.length; i++) {
          if (r1[i] == 0 || r2[i] == 0) {
            if (sweep == 0 && context != null) {
              context.increment("zero-range-channels");
            }
            continue;
          }
          double s = Math.sqrt(r1[i] * r2[i]) / r2[i];
          p.first().scaleOut(i, 1 / s);
          p.second().scaleIn(i, s);
          total[k][i] *= s;
          moved = Math.max(moved, Math.abs(s - 1));
        }
      }
      if (context != null) {
        context.increment("sweeps");
      }
      if (moved <= tolerance) {
        break;
      }
    }
    return total;
  }

  /** Divides the bounds of the chain's clips and min/max nodes by the channel factors. */
  private static void scaleChain(List<Node> chain, double[] inv, PassContext context) {
    for (Node n : chain) {
      switch (n.op().fullName()) {
        case "graph.clip" -> {
          rewriteClip(n, inv, context.registry());
          context.increment("clips-rewritten");
        }
        case "graph.min", "graph.max" -> {
          int b = LayerPair.boundOperand(n);
          TensorType t = n.result().type();
          double[] v = LayerPair.perChannel(Rewrites.of(n.operand(b)), t.rank(), inv.length);
          for (int i = 0; i < v.length; i++) {
            v[i] *= inv[i];
          }
          Rewrites.replaceOperand(n, b, bound(t, v));
          context.increment("bounds-rescaled");
        }
        default -> {
          // relu, leaky_relu, pooling and flattening commute with positive per-channel scales
        }
      }
    }
  }

  /** clip(x, lo, hi) with scaled bounds: relu or max(x, lo·inv), then min(·, hi·inv). */
  static void rewriteClip(Node clip, double[] inv, OpRegistry registry) {
    TensorType t = clip.result().type();
    var b = GraphBuilder.before(clip, registry);
    Value v = clip.operand(0);
    Attribute lo = clip.attr("min");
    Attribute hi = clip.attr("max");
    if (lo != null) {
      double l = ((Attribute.FloatAttr) lo).value();
      v = l == 0 ? b.named(v.name() + "_relu", "graph.relu", Attributes.EMPTY, v)
          : b.op("graph.max", v, Rewrites.insert(clip, "lower", bound(t, scaled(l, inv))));
    }
    if (hi != null) {
      v = b.op("graph.min", v, Rewrites.insert(clip, "upper", bound(t, scaled(((Attribute.FloatAttr) hi).value(), inv))));
    }
    Rewrites.replaceKeepingName(clip, v);
  }

  private static double[] scaled(double x, double[] inv) {
    double[] r = new double[inv.length];
    for (int i = 0; i < r.length; i++) {
      r[i] = x * inv[i];
    }
    return r;
  }

  /** A per-channel bound constant shaped to broadcast along axis 1 of {@code t}. */
  static Tensor bound(TensorType t, double[] perChannel) {
    TensorType bt = new TensorType(t.elementType(), Shape.of(LayerPair.channelShape(t.rank(), perChannel.length)),
        null);
    return Rewrites.tensor(bt, perChannel);
  }
}
