package dev.cimc.ir.quant.fakequant;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.dialect.Builtin;
import dev.cimc.ir.dialect.q.QDialect;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.op.OpRegistry;
import dev.cimc.ir.pass.Pass;
import dev.cimc.ir.pass.PassContext;
import dev.cimc.ir.pass.PassDef;
import dev.cimc.ir.pass.PassOption;
import dev.cimc.ir.pass.PassOptions;
import dev.cimc.ir.pass.PassWarnings;
import dev.cimc.ir.quant.QuantPlan;
import dev.cimc.ir.quant.QuantScheme;
import dev.cimc.ir.quant.calibrate.CalibrationData;
import dev.cimc.ir.quant.calibrate.Calibrator;
import dev.cimc.ir.quant.config.MixedPrecision;
import dev.cimc.ir.quant.config.PrecisionAssignment;
import dev.cimc.ir.quant.config.QuantConfig;
import dev.cimc.ir.quant.config.QuantConfigSource;
import dev.cimc.ir.quant.observe.ObserverSpec;
import dev.cimc.ir.quant.observe.RangeMethod;
import dev.cimc.ir.quant.ptq.AdaRound;
import dev.cimc.ir.quant.ptq.PostTrainingQuantization;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.QuantParams;
import dev.cimc.ir.type.TensorType;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Inserts {@code q.quantize}/{@code q.dequantize} pairs around the float ops that have integer forms in the
 * q dialect, so that the graph computes in float exactly what the integer graph will compute (fake
 * quantization); {@code lower-to-integer} then turns each {@code dequantize → op → quantize} into integer
 * ops.
 *
 * <p>Activations are quantized per tensor with the plan's range and scheme (by value name in the float
 * graph); a value without a range leaves its consumers in float. Weight constants become quantized
 * constants (signed symmetric, per output channel by default, each channel over its own min/max or the plan's
 * weight range); a float
 * bias of a convolution or gemm becomes an i32 constant with scale {@code s_in · s_w}. The results of
 * relu, clip, max_pool and data movement (reshape, transpose, flatten, squeeze, unsqueeze) keep their
 * input's parameters (the integer op then needs no rescaling) unless the plan gives the result a scheme of
 * its own; softmax results cover [0, 1) with scale 2^−bits (see {@code softmaxParams}). Ops whose result the
 * plan names in {@link QuantPlan#floatLayers()} stay in float (their inputs are dequantized as any float reader's).
 *
 * <p>Ops handled: conv2d (constant weights, optional constant bias), gemm (alpha = beta = 1, trans_a = 0,
 * constant weights), matmul (constant matrix weights and activations of rank ≥ 2, or two activations), add, relu, clip, max_pool,
 * average_pool, global_average_pool (2-D, no dilation or ceil_mode), reduce_mean, reshape, transpose, flatten,
 * squeeze, unsqueeze, slice, softmax, layer_norm over the last axis, mul/div/sub by a scalar constant (by table),
 * min/max with a constant bound (result keeps the input's parameters), mul of a rank-4 activation by a
 * per-channel constant (as a depthwise 1×1 convolution),
 * and the unary functions sigmoid, tanh, hard_swish, hard_sigmoid, exp, gelu, leaky_relu (by table).
 *
 * <p><b>Fused ops</b> ({@code fuse} runs before quantization in -O2): {@code fused_conv2d}, {@code fused_gemm}
 * and {@code fused_add} whose activation has a clamp form ({@code none}, {@code relu}, {@code relu6},
 * {@code clip}) are quantized as one unit: inputs and weights as for the unfused op, the result with the
 * calibrated range of the fused result (the activation's output), so {@code lower-to-integer} maps them to
 * qconv2d/qgemm/qadd + a requantize whose clamp realizes the activation. A fused op whose activation has no
 * clamp form ({@code leaky_relu}, {@code hard_swish}, {@code sigmoid}) is first split back into the unfused
 * op (result named {@code <name>.pre}) and the activation op (keeping the name), which then become an
 * integer product + requantize and a {@code q.lut}. The range of {@code <name>.pre} is the plan's if it has
 * one, else the preimage under the activation of the calibrated output range (see {@link #preimage}):
 * clamping the pre-activation there changes no output the output range covers.
 *
 * <p><b>Log2 weights</b> (a weight scheme of kind {@link QuantScheme.Kind#LOG2}): the weights of a conv or
 * gemm become a constant of log2 codes ({@link dev.cimc.ir.quant.Log2Codes}, per output channel with the
 * channel's largest magnitude as {@code s}) expanded on load by {@code q.log2_expand} to power-of-two integer
 * codes with the unit scale, then dequantized: fake quantization computes with the exact weights
 * {@code sign · s · 2^e}, and {@code lower-to-integer} keeps the expansion in front of q.qconv2d/q.qgemm.
 *
 * <p><b>fp16</b> ({@link QuantScheme.Kind#FP16}, for a result's activation scheme or a weight's scheme): the op
 * becomes a half-precision op: every float operand is rounded to f16 and back ({@code graph.cast} to f16 and
 * to f32, round to nearest even; float constants become f16 constants cast on load), and so is its result.
 * The op itself computes in f32 on f16 values (f16 storage, f32 accumulation), which {@code lower-to-integer}
 * leaves as it is: it is the form of ops that stay out of the integer domain. An integer-quantized op that
 * reads an fp16 result quantizes it with the default activation scheme over that result's calibrated range.
 */
public final class Quantize extends Pass {
  public static final PassDef DEF = PassDef.builder("quantize", "Quantize")
      .summary("post-training quantization: weight ranges, AdaRound, bias correction, activation ranges, then "
          + "q.quantize/q.dequantize around every float op with an integer form")
      .option(PassOption.intOption("weight-bits", 8, 2, 8, "bits of weights (signed symmetric)"))
      .option(PassOption.intOption("activation-bits", 8, 2, 8, "bits of activations (per tensor)"))
      .option(PassOption.enumOption("weight-granularity", "channel", List.of("channel", "tensor"),
          "weight scales per output channel or per tensor"))
      .option(PassOption.boolOption("symmetric-activations", false,
          "signed symmetric activations (zero point 0) instead of unsigned asymmetric"))
      .option(PassOption.boolOption("pow2-scales", false, "round every scale up to a power of two (shift-only hardware)"))
      .option(PassOption.enumOption("weight-range", "minmax", List.of("minmax", "mse"), "weight range setting"))
      .option(PassOption.enumOption("activation-range", "minmax", List.of("minmax", "ema", "percentile", "mse", "kl"),
          "activation range setting from the calibration samples"))
      .option(PassOption.doubleOption("percentile", 99.99, "the percentile of activation-range=percentile"))
      .option(PassOption.enumOption("classifier-range", "cross-entropy", List.of("cross-entropy", "same"),
          "range setting of the classifier's logits ('same': as other activations)"))
      .option(PassOption.boolOption("adaround", false, "AdaRound the weights of every layer on the calibration samples"))
      .option(PassOption.intOption("adaround-iterations", 500, 1, 1 << 20, "Adam steps per layer of AdaRound"))
      .option(PassOption.boolOption("bias-correction", false, "empirical bias correction on the calibration samples"))
      .option(PassOption.doubleOption("bit-search-sqnr", 0,
          "per-layer weight bits: the fewest in [min-weight-bits, weight-bits] keeping this output SQNR in dB (0: off)"))
      .option(PassOption.intOption("min-weight-bits", 4, 2, 8, "fewest weight bits the bit search may choose"))
      .option(PassOption.intOption("ptq-samples", 64, 1, 1 << 20,
          "calibration samples AdaRound and bias correction use (they run the graph once per layer)"))
      .option(PassOption.intOption("calib-samples", 4, 1, 1 << 16,
          "random input samples to calibrate on when the compilation gives no calibration data"))
      .option(PassOption.intOption("seed", 1, "seed of the random calibration samples"))
      .statistic("ops-quantized", "float ops wrapped in quantize/dequantize")
      .statistic("weights-quantized", "weight and bias constants replaced by quantized constants")
      .statistic("ops-skipped", "ops with an integer form left in float (no range, unsupported attributes)")
      .statistic("calibration-samples", "samples the activation ranges were observed on")
      .statistic("random-calibration-samples", "of those, random inputs (no calibration data was given)")
      .statistic("layers-bias-corrected", "weight layers whose bias bias correction changed")
      .statistic("weight-bits-saved", "with bit search: weight bits below weight-bits, summed over weight elements")
      .factory(Quantize::new)
      .build();

  /** Unary float functions tabulated by q.lut. */
  public static final Set<String> TABLE_OPS = Set.of("graph.sigmoid", "graph.tanh", "graph.hard_swish",
      "graph.hard_sigmoid", "graph.exp", "graph.gelu", "graph.leaky_relu");

  /**
   * Ops whose result keeps the parameters of their input: relu, clip and max commute with a monotone
   * quantizer, and data movement does not change values.
   */
  private static final Set<String> SAME_PARAMS = Set.of("graph.relu", "graph.clip", "graph.max_pool",
      "graph.reshape", "graph.transpose", "graph.flatten", "graph.squeeze", "graph.unsqueeze", "graph.slice",
      "graph.resize", "graph.pad");

  /** Binary float ops that {@code lower-to-integer} tabulates when their second operand is a scalar constant. */
  public static final Set<String> SCALAR_OPS = Set.of("graph.mul", "graph.div", "graph.sub");

  /** The fused ops, whose {@code activation} attribute names what follows the product or sum. */
  static final Set<String> FUSED = Set.of("graph.fused_conv2d", "graph.fused_gemm", "graph.fused_add");

  /** Fused activations that are a clamp of the result: the integer form clamps the requantized codes. */
  public static final Set<String> CLAMP_ACTIVATIONS = Set.of("none", "relu", "relu6", "clip");

  /** The attributes of a fused op that describe its activation (dropped when it is split). */
  private static final Set<String> ACTIVATION_ATTRS = Set.of("activation", "slope", "min", "max");

  private Quantize(PassOptions options) {
    super(DEF, options);
  }

  /** What one application did. */
  public record Stats(long opsQuantized, long weightsQuantized, long opsSkipped) {}

  /**
   * Told what the pass planned, before it inserts quantizers (a pass resource: reports use it).
   */
  @FunctionalInterface
  public interface Listener {
    /**
     * @param floatGraph a copy of the graph as it entered the pass (the float reference)
     * @param result the plan, calibration and per-layer choices
     */
    void planned(Graph floatGraph, PostTrainingQuantization.Result result);
  }

  /**
   * Reads the pass resources {@link CalibrationData} (without it: {@code calib-samples} random inputs, counted
   * in the statistic random-calibration-samples), {@link QuantConfigSource} (mixed precision per layer, over the
   * options' defaults; its warnings go to {@link PassWarnings}), {@link Calibrator.Progress} and {@link Listener}.
   */
  @Override
  public boolean run(Graph graph, PassContext context) {
    PassOptions o = options();
    QuantScheme.Kind affine = QuantScheme.Kind.AFFINE;
    boolean pow2 = o.getBool("pow2-scales");
    int wb = o.getInt("weight-bits");
    int ab = o.getInt("activation-bits");
    QuantScheme w = new QuantScheme(affine, wb, true, true,
        o.getString("weight-granularity").equals("tensor") ? QuantParams.PER_TENSOR : 0, pow2);
    boolean symA = o.getBool("symmetric-activations");
    QuantScheme a = new QuantScheme(affine, ab, symA, symA, QuantParams.PER_TENSOR, pow2);
    QuantPlan base = new QuantPlan(a, w, Map.of(), Map.of());
    QuantConfigSource source = context.resource(QuantConfigSource.class).orElse(null);
    QuantConfig config = source != null ? source.configFor(graph) : null;
    PrecisionAssignment mixed = config != null ? MixedPrecision.resolve(graph, config) : null;
    if (mixed != null) {
      base = mixed.applyTo(base);
      PassWarnings sink = context.resource(PassWarnings.class).orElse(null);
      if (sink != null) {
        mixed.warnings().forEach(warning -> sink.warn(DEF.name(), warning.render()));
      }
    }
    ObserverSpec observers = ObserverSpec.of(RangeMethod.fromText(o.getString("activation-range")))
        .withPercentile(o.getDouble("percentile"));
    Calibrator.Settings cal = Calibrator.Settings.defaults().withObservers(observers).withScheme(a)
        .withClassifier(o.getString("classifier-range").equals("same") ? null : ObserverSpec.of(RangeMethod.CROSS_ENTROPY))
        .withThreads(Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())));
    if (mixed != null) {
      cal = mixed.calibration(cal);
    }
    var settings = new PostTrainingQuantization.Settings(base, cal,
        o.getString("weight-range").equals("mse") ? PostTrainingQuantization.WeightRange.MSE
            : PostTrainingQuantization.WeightRange.MIN_MAX,
        o.getBool("adaround") ? AdaRound.Settings.defaults().withIterations(o.getInt("adaround-iterations")) : null,
        o.getBool("bias-correction"), o.getInt("ptq-samples"),
        o.getDouble("bit-search-sqnr") > 0
            ? new PostTrainingQuantization.BitSearch(o.getInt("min-weight-bits"), o.getDouble("bit-search-sqnr")) : null);
    CalibrationData data = context.resource(CalibrationData.class).orElse(null);
    if (data == null) {
      data = CalibrationData.random(graph, o.getInt("calib-samples"), o.getLong("seed"));
      context.add("random-calibration-samples", data.size());
    }
    Listener listener = context.resource(Listener.class).orElse(null);
    Graph reference = listener != null ? graph.copy() : null;
    PostTrainingQuantization.Result r = PostTrainingQuantization.plan(graph, data, settings,
        context.resource(Calibrator.Progress.class).orElse(Calibrator.Progress.NONE));
    if (mixed != null) { // activation schemes of selected layers need the calibrated ranges
      r = new PostTrainingQuantization.Result(mixed.applyTo(r.plan()), r.calibration(), r.layers());
    }
    if (listener != null) {
      listener.planned(reference, r);
    }
    long saved = 0;
    for (PostTrainingQuantization.LayerResult l : r.layers()) {
      Value wv = graph.value(l.weight());
      long elements = wv != null ? wv.type().numel() : 0;
      saved += (long) (wb - l.scheme().bits()) * elements;
    }
    Stats s = apply(graph, r.plan(), context.registry());
    context.add("ops-quantized", s.opsQuantized());
    context.add("weights-quantized", s.weightsQuantized());
    context.add("ops-skipped", s.opsSkipped());
    context.add("calibration-samples", data.size());
    context.add("layers-bias-corrected", r.layers().stream().filter(l -> l.biasShift() != 0).count());
    context.add("weight-bits-saved", saved);
    return s.opsQuantized() > 0;
  }

  /** Quantizes {@code g} in place following {@code plan}. */
  public static Stats apply(Graph g, QuantPlan plan, OpRegistry registry) {
    var outputNames = new java.util.ArrayList<String>();
    for (Value o : g.outputs()) {
      outputNames.add(o.name());
    }
    var run = new Run(g, plan, registry);
    for (Node n : g.nodes()) {
      if (!n.isErased()) {
        run.visit(n);
      }
    }
    keepOutputNames(g, outputNames);
    return new Stats(run.quantized, run.weights, run.skipped);
  }

  /**
   * The smallest pre-activation range {@code [a, b]} whose image under the activation covers the output range
   * {@code [lo, hi]} (what a fused op's result was calibrated on), or null if there is none:
   *
   * <ul>
   *   <li>leaky_relu (slope α > 0), increasing: {@code [inv(lo), inv(hi)]} with {@code inv(y) = y < 0 ? y / α : y};</li>
   *   <li>hard_swish: increasing from −3/8 at x = −3/2; every x ≤ −3 maps to 0, so the range starts at −3 when
   *       {@code lo ≤ 0} (values below clamp to −3 with the same output) and at the increasing-branch inverse of
   *       {@code lo} otherwise; it ends at that inverse of {@code hi} ({@code (−3 + √(9 + 24y)) / 2} for
   *       y ≤ 3, y beyond);</li>
   *   <li>sigmoid: {@code [logit(lo), logit(hi)]}, the output clamped to [2^−24, 1 − 2^−24] first.</li>
   * </ul>
   */
  public static double[] preimage(String activation, double slope, double lo, double hi) {
    switch (activation) {
      case "leaky_relu":
        if (!(slope > 0) || Double.isInfinite(slope)) {
          return null;
        }
        return new double[] {lo < 0 ? lo / slope : lo, hi < 0 ? hi / slope : hi};
      case "hard_swish":
        return new double[] {lo <= 0 ? -3 : hardSwishInverse(lo), Math.max(0, hardSwishInverse(hi))};
      case "sigmoid":
        return new double[] {logit(lo), logit(Math.max(lo, hi))};
      default:
        return null;
    }
  }

  private static double hardSwishInverse(double y) {
    if (y >= 3) {
      return y;
    }
    return (-3 + Math.sqrt(Math.max(0, 9 + 24 * y))) / 2;
  }

  private static double logit(double y) {
    double p = Math.min(1 - 0x1p-24, Math.max(0x1p-24, y));
    return Math.log(p / (1 - p));
  }

  /** Graph outputs keep their names (users read results by name); the float value they replaced is renamed. */
  static void keepOutputNames(Graph g, List<String> names) {
    for (int i = 0; i < names.size(); i++) {
      Value v = g.output(i);
      String want = names.get(i);
      if (!v.name().equals(want)) {
        Value old = g.value(want);
        if (old != null) {
          old.rename(g.uniqueName(want + ".f"));
        }
        v.rename(want);
      }
    }
  }

  /** The state of one application: the dequantized form of each value already quantized. */
  private static final class Run {
    final Graph g;
    final OpRegistry registry;
    /** The plan, plus the ranges of the intermediates of split fused ops. */
    QuantPlan plan;
    final Map<Value, Value> dequantized = new IdentityHashMap<>();
    /** Values rounded to f16 and back → the value they round. */
    final Map<Value, Value> roundedFrom = new IdentityHashMap<>();
    /** Values → their f16-rounded form. */
    final Map<Value, Value> rounded = new IdentityHashMap<>();
    long quantized;
    long weights;
    long skipped;

    Run(Graph g, QuantPlan plan, OpRegistry registry) {
      this.g = g;
      this.plan = plan;
      this.registry = registry;
    }

    void visit(Node n) {
      String op = n.op().fullName();
      if (op.equals("graph.split") && !plan.keepsFloat(n.result(0).name())) {
        if (splitParts(n)) {
          quantized++;
        } else {
          skipped++;
        }
        return;
      }
      if (n.numResults() != 1 || n.result().type().elementType() != ElementType.F32) {
        return;
      }
      if (plan.keepsFloat(n.result().name())) {
        if (hasIntegerForm(op)) {
          skipped++;
        }
        return;
      }
      if (isFp16(n)) {
        fp16(n);
        quantized++;
        return;
      }
      if (FUSED.contains(op) && !CLAMP_ACTIVATIONS.contains(n.stringAttr("activation"))) {
        Node[] parts = split(n);
        if (parts == null) {
          skipped++;
        } else {
          visit(parts[0]);
          visit(parts[1]);
        }
        return;
      }
      boolean handled = switch (op) {
        case "graph.conv2d", "graph.fused_conv2d" -> conv(n);
        case "graph.gemm", "graph.matmul", "graph.fused_gemm" -> gemm(n);
        case "graph.add", "graph.fused_add" -> activationsOnly(n, 2, resultParams(n));
        case "graph.softmax" -> activationsOnly(n, 1, softmaxParams(n));
        case "graph.layer_norm" -> layerNorm(n);
        case "graph.concat" -> activationsOnly(n, n.numOperands(), resultParams(n));
        case "graph.average_pool", "graph.global_average_pool" -> averagePool(n);
        case "graph.reduce_mean" -> n.numOperands() == 1 && n.operand(0).type().shape().isStatic()
            ? activationsOnly(n, 1, resultParams(n)) : null;
        case "graph.min", "graph.max" -> bounded(n);
        case "graph.mul", "graph.div", "graph.sub" -> isScalarConst(n.operand(1))
            ? activationsOnly(n, 1, resultParams(n)) : op.equals("graph.mul") ? multiply(n)
            : op.equals("graph.sub") ? activationsOnly(n, 2, resultParams(n)) : null;
        default -> {
          if (SAME_PARAMS.contains(op)) {
            yield sameParams(n);
          } else if (TABLE_OPS.contains(op)) {
            yield activationsOnly(n, 1, resultParams(n));
          } else {
            yield null;
          }
        }
      } != null;
      if (handled) {
        quantized++;
      } else if (hasIntegerForm(op)) {
        skipped++;
      }
    }

    private static boolean hasIntegerForm(String op) {
      return FUSED.contains(op) || op.equals("graph.conv2d") || op.equals("graph.gemm") || op.equals("graph.matmul")
          || op.equals("graph.add") || op.equals("graph.softmax") || op.equals("graph.layer_norm")
          || op.equals("graph.average_pool") || op.equals("graph.global_average_pool") || op.equals("graph.reduce_mean")
          || op.equals("graph.min") || op.equals("graph.max") || op.equals("graph.concat")
          || SAME_PARAMS.contains(op) || TABLE_OPS.contains(op);
    }

    // ---------------------------------------------------------------------------------------- per op

    private Object conv(Node n) {
      if (n.operand(0).type().rank() != 4 || !isConst(n.operand(1)) || (n.numOperands() > 2 && !isConst(n.operand(2)))
          || !n.result().type().elementType().isFloat()) {
        return null;
      }
      return withWeights(n, 0);
    }

    private Object gemm(Node n) {
      boolean isGemm = !n.op().fullName().equals("graph.matmul");
      Value a = n.operand(0);
      Value b = n.operand(1);
      if (isGemm && (n.floatAttr("alpha") != 1 || n.floatAttr("beta") != 1 || n.intAttr("trans_a") != 0)) {
        return null;
      }
      if (isConst(b)) {
        if ((isGemm ? a.type().rank() != 2 : a.type().rank() < 2) || b.type().rank() != 2) {
          return null;
        }
        if (n.numOperands() > 2 && (!isConst(n.operand(2)) || n.operand(2).type().rank() != 1)) {
          return null;
        }
        return withWeights(n, isGemm && n.intAttr("trans_b") != 0 ? 0 : 1);
      }
      if (isGemm || a.type().rank() < 2 || b.type().rank() < 2) {
        return null;
      }
      int ra = a.type().rank();
      int rb = b.type().rank();
      if (rb != 2 && !java.util.Arrays.equals(java.util.Arrays.copyOf(a.type().shape().dims(), ra - 2),
          java.util.Arrays.copyOf(b.type().shape().dims(), rb - 2))) {
        return null;
      }
      return activationsOnly(n, 2, resultParams(n));
    }

    /** A product by a per-channel constant (depthwise 1×1), or of two activations (q.qmul). */
    private Object multiply(Node n) {
      Object scaled = channelScale(n);
      if (scaled != null || isConst(n.operand(0)) || isConst(n.operand(1))) {
        return scaled;
      }
      return activationsOnly(n, 2, resultParams(n));
    }

    private Object layerNorm(Node n) {
      long axis = n.intAttr("axis");
      int rank = n.operand(0).type().rank();
      if ((axis != -1 && axis != rank - 1) || !isConst(n.operand(1)) || (n.numOperands() > 2 && !isConst(n.operand(2)))) {
        return null;
      }
      return activationsOnly(n, 1, resultParams(n));
    }

    private Object averagePool(Node n) {
      if (n.operand(0).type().rank() != 4 || (n.op().fullName().equals("graph.average_pool") && !plainWindow(n))) {
        return null;
      }
      return activationsOnly(n, 1, resultParams(n));
    }

    private Object sameParams(Node n) {
      String op = n.op().fullName();
      if (op.equals("graph.resize") && !n.stringAttr("mode").equals("nearest")) {
        return null; // (multi-)linear interpolation makes new values: not data movement
      }
      if (op.equals("graph.max_pool") && (n.operand(0).type().rank() != 4 || !plainWindow(n))) {
        return null;
      }
      if (n.numOperands() > 1) {
        return null; // clip bounds or shapes as operands (newer opsets) are not folded here
      }
      QuantPlan.Range own = plan.range(n.result().name());
      if (own != null && own.scheme() != null && !op.equals("graph.max_pool")) {
        return activationsOnly(n, 1, resultParams(n)); // a scheme of its own (mixed precision) wins
      }
      Value dq = activation(n.operand(0));
      if (dq == null) {
        return null;
      }
      n.setOperand(0, dq);
      TensorType in = dq.producer().operand(0).type();
      quantizeResult(n, in.withShape(n.result().type().shape()));
      return n;
    }

    /**
     * min/max of an activation and a float constant broadcasting to it (per-channel relu6 bounds after CLE): the
     * result keeps the activation's parameters, like clip.
     */
    private Object bounded(Node n) {
      if (n.numOperands() != 2 || !isConst(n.operand(1)) || n.operand(1).type().elementType() != ElementType.F32
          || !n.result().type().shape().equals(n.operand(0).type().shape())) {
        return null;
      }
      QuantPlan.Range own = plan.range(n.result().name());
      if (own != null && own.scheme() != null) {
        return null;
      }
      Value dq = activation(n.operand(0));
      if (dq == null) {
        return null;
      }
      n.setOperand(0, dq);
      quantizeResult(n, dq.producer().operand(0).type());
      return n;
    }

    /**
     * x · c with x of rank 4 and c a float constant per channel (axis 1), e.g. a batch norm no pass could fold:
     * rewritten as the depthwise 1×1 convolution with weights c (exact in float: one product per element) and
     * quantized as a convolution, so it lowers to q.qconv2d + q.requantize.
     */
    private Object channelScale(Node n) {
      Value x = n.operand(0);
      Value c = n.operand(1);
      if (x.type().rank() != 4 || !isConst(c) || c.type().elementType() != ElementType.F32
          || !n.result().type().shape().equals(x.type().shape()) || !x.type().shape().isStatic()) {
        return null;
      }
      int channels = x.type().dim(1);
      int[] cd = c.type().shape().dims();
      int offset = 4 - cd.length;
      if (offset < 0) {
        return null;
      }
      for (int i = 0; i < cd.length; i++) {
        if (cd[i] != 1 && !(i + offset == 1 && cd[i] == channels)) {
          return null;
        }
      }
      Tensor ct = constant(c);
      float[] w = new float[channels];
      for (int ch = 0; ch < channels; ch++) {
        w[ch] = (float) ct.getDouble(ct.size() == 1 ? 0 : ch);
      }
      Tensor wt = Tensor.ofFloats(new int[] {channels, 1, 1, 1}, w);
      Node wc = g.insertBefore(n, Builtin.CONST, List.of(), Attributes.of("value", new Attribute.TensorAttr(wt)),
          List.of(wt.type()), List.of(g.uniqueName(c.name() + ".dw")), n.location());
      String name = n.result().name();
      Node conv = g.insertBefore(n, registry.get("graph.conv2d"), List.of(x, wc.result()),
          Attributes.of("group", Attribute.of((long) channels)), List.of(n.result().type()), null, n.location());
      g.replaceNode(n, List.of(conv.result()));
      conv.result().rename(name);
      return conv(conv);
    }

    /** A 2-D window without dilation, ceil_mode or auto_pad (what the q pools take). */
    private static boolean plainWindow(Node n) {
      if (n.attr("dilations") != null && !java.util.Arrays.equals(n.intsAttr("dilations"), new long[] {1, 1})) {
        return false;
      }
      return n.intAttr("ceil_mode") == 0 && n.stringAttr("auto_pad").equals("NOTSET");
    }

    /** Quantizes the first {@code count} operands as activations and the result with {@code result}. */
    private Object activationsOnly(Node n, int count, QuantParams result) {
      if (result == null || !n.result().type().elementType().isFloat()) {
        return null;
      }
      Value[] dq = new Value[count];
      for (int i = 0; i < count; i++) {
        dq[i] = activation(n.operand(i));
        if (dq[i] == null) {
          return null;
        }
      }
      for (int i = 0; i < count; i++) {
        n.setOperand(i, dq[i]);
      }
      quantizeResult(n, new TensorType(activationType(n.result()), n.result().type().shape(), result));
      return n;
    }

    /** Conv or gemm with constant weights (output channels along {@code axis}) and optional constant bias. */
    private Object withWeights(Node n, int axis) {
      QuantParams out = resultParams(n);
      if (out == null) {
        return null;
      }
      Value x = activation(n.operand(0));
      if (x == null) {
        return null;
      }
      Value w = n.operand(1);
      QuantScheme ws = plan.weightScheme(w.name());
      boolean log2 = ws.kind() == QuantScheme.Kind.LOG2;
      if (log2 ? ws.bits() < 3 || ws.bits() > 5
          : ws.kind() != QuantScheme.Kind.AFFINE || !ws.symmetric() || !ws.signed()) {
        return null; // log2 codes take 3 to 5 bits (Log2Codes)
      }
      n.setOperand(0, x);
      Value wq = log2 ? log2Weight(n, w, ws, axis) : quantizeWeight(n, w, ws, axis);
      n.setOperand(1, wq);
      if (n.numOperands() > 2) {
        double sx = x.producer().operand(0).type().quant().scale(0);
        n.setOperand(2, quantizeBias(n, n.operand(2), sx, wq.producer().operand(0).type().quant()));
      }
      quantizeResult(n, new TensorType(activationType(n.result()), n.result().type().shape(), out));
      return n;
    }

    /**
     * Splits a fused op into the unfused op and its activation op (which keeps the fused result's name) and
     * gives the intermediate a range; returns both nodes, or null when no range can be found.
     */
    private Node[] split(Node n) {
      String act = n.stringAttr("activation");
      String name = n.result().name();
      QuantPlan.Range out = plan.range(name);
      String preName = g.uniqueName(name + ".pre");
      QuantPlan.Range pre = plan.range(preName);
      if (pre == null && out != null) {
        double[] r = preimage(act, n.floatAttr("slope"), out.min(), out.max());
        pre = r == null ? null : new QuantPlan.Range(r[0], r[1]);
      }
      if (pre == null) {
        return null;
      }
      plan = plan.withRange(preName, pre);
      String base = n.op().fullName().replace("fused_", "");
      Attributes attrs = Attributes.EMPTY;
      for (var e : n.attributes().entries()) {
        if (!ACTIVATION_ATTRS.contains(e.getKey())) {
          attrs = attrs.with(e.getKey(), e.getValue());
        }
      }
      TensorType t = n.result().type();
      Node p = g.insertBefore(n, registry.get(base), n.operands(), attrs, List.of(t), List.of(preName), n.location());
      Attributes actAttrs = act.equals("leaky_relu") ? Attributes.of("alpha", Attribute.of(n.floatAttr("slope")))
          : Attributes.EMPTY;
      Node a = g.insertAfter(p, registry.get("graph." + act), List.of(p.result()), actAttrs, List.of(t), null,
          n.location());
      g.replaceNode(n, List.of(a.result()));
      a.result().rename(name);
      return new Node[] {p, a};
    }

    // ---------------------------------------------------------------------------------------- values

    // ---------------------------------------------------------------------------------------- fp16

    /** An op computing in half precision: its result's scheme is fp16, or its weights' (operand 1) is. */
    private boolean isFp16(Node n) {
      if (!n.op().dialect().equals("graph")) {
        return false;
      }
      if (plan.activationScheme(n.result().name()).kind() == QuantScheme.Kind.FP16) {
        return true;
      }
      return n.numOperands() > 1 && isConst(n.operand(1)) && n.operand(1).type().elementType() == ElementType.F32
          && plan.weightScheme(n.operand(1).name()).kind() == QuantScheme.Kind.FP16;
    }

    /** Rounds every float operand of {@code n} and its result to f16 (see the class comment). */
    private void fp16(Node n) {
      for (int i = 0; i < n.numOperands(); i++) {
        Value v = n.operand(i);
        if (v.type().elementType() != ElementType.F32 || roundedFrom.containsKey(v)) {
          continue;
        }
        n.setOperand(i, isConst(v) ? halfConstant(n, v) : half(v));
      }
      Value r = n.result();
      Node h = g.insertAfter(n, registry.get("graph.cast"), List.of(r), Attributes.of("to", new Attribute.TypeAttr(ElementType.F16)),
          List.of(r.type().withElementType(ElementType.F16)), List.of(r.name() + ".h"), n.location());
      Node back = g.insertAfter(h, registry.get("graph.cast"), List.of(h.result()), Attributes.of("to",
          new Attribute.TypeAttr(ElementType.F32)), List.of(r.type()), List.of(r.name() + ".f16"), n.location());
      g.replaceAllUsesWith(r, back.result());
      h.setOperand(0, r);
      rounded.put(r, back.result());
      roundedFrom.put(back.result(), r);
    }

    /** {@code v} rounded to f16 and back, inserted once after its producer. */
    private Value half(Value v) {
      Value known = rounded.get(v);
      if (known != null) {
        return known;
      }
      Node p = v.producer();
      Attributes toHalf = Attributes.of("to", new Attribute.TypeAttr(ElementType.F16));
      TensorType ht = v.type().withElementType(ElementType.F16);
      Node h = p == null ? g.insertBefore(g.first(), registry.get("graph.cast"), List.of(v), toHalf, List.of(ht), List.of(v.name() + ".h"),
          dev.cimc.ir.diag.Location.UNKNOWN)
          : g.insertAfter(p, registry.get("graph.cast"), List.of(v), toHalf, List.of(ht), List.of(v.name() + ".h"), p.location());
      Node back = g.insertAfter(h, registry.get("graph.cast"), List.of(h.result()), Attributes.of("to",
          new Attribute.TypeAttr(ElementType.F32)), List.of(v.type()), List.of(v.name() + ".f16"), h.location());
      rounded.put(v, back.result());
      roundedFrom.put(back.result(), v);
      return back.result();
    }

    /** A float constant stored as f16 and cast to f32 on load. */
    private Value halfConstant(Node n, Value c) {
      Tensor t = constant(c);
      double[] d = new double[t.size()];
      for (int i = 0; i < d.length; i++) {
        d[i] = t.getDouble(i);
      }
      Tensor h = Tensor.fromDoubles(t.type().withElementType(ElementType.F16), d);
      Node k = g.insertBefore(n, Builtin.CONST, List.of(), Attributes.of("value", new Attribute.TensorAttr(h)),
          List.of(h.type()), List.of(c.name() + ".h"), n.location());
      Node back = g.insertBefore(n, registry.get("graph.cast"), List.of(k.result()), Attributes.of("to",
          new Attribute.TypeAttr(ElementType.F32)), List.of(c.type()), List.of(c.name() + ".f16"), n.location());
      roundedFrom.put(back.result(), c);
      weights++;
      return back.result();
    }

    // ---------------------------------------------------------------------------------------- values

    /** The dequantized form of an activation operand (inserting quantize/dequantize once), or null. */
    private Value activation(Value v) {
      Node p = v.producer();
      if (p != null && p.op() == QDialect.DEQUANTIZE) {
        return p.operand(0).type().quant().isPerTensor() ? v : null;
      }
      Value known = dequantized.get(v);
      if (known != null) {
        return known;
      }
      QuantParams qp;
      Value halfOf = roundedFrom.get(v);
      if (halfOf != null && !isConst(halfOf)) {
        QuantPlan.Range r = plan.range(halfOf.name());
        qp = r == null || r.min() == r.max() ? null
            : plan.defaultActivation().params(new double[] {r.min()}, new double[] {r.max()});
        if (qp != null && !qp.isPerTensor()) {
          qp = null;
        }
        if (qp == null) {
          return null;
        }
        return quantizeActivation(v, qp, plan.defaultActivation().elementType());
      } else if (isConst(v)) {
        Tensor t = constant(v);
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < t.size(); i++) {
          lo = Math.min(lo, t.getDouble(i));
          hi = Math.max(hi, t.getDouble(i));
        }
        qp = plan.defaultActivation().params(new double[] {lo}, new double[] {hi});
      } else {
        qp = plan.activationParams(v.name());
      }
      if (qp == null || !qp.isPerTensor() || v.type().elementType() != ElementType.F32) {
        return null;
      }
      return quantizeActivation(v, qp, activationType(v));
    }

    /** Inserts quantize/dequantize of {@code v} with these parameters; returns the dequantized value. */
    private Value quantizeActivation(Value v, QuantParams qp, ElementType et) {
      Node p = v.producer();
      TensorType qt = new TensorType(et, v.type().shape(), qp);
      Node q = p == null ? g.insertBefore(g.first(), QDialect.QUANTIZE, List.of(v), Attributes.EMPTY, List.of(qt),
          List.of(v.name() + ".q"), dev.cimc.ir.diag.Location.UNKNOWN)
          : g.insertAfter(p, QDialect.QUANTIZE, List.of(v), Attributes.EMPTY, List.of(qt), List.of(v.name() + ".q"),
              p.location());
      Node dq = g.insertAfter(q, QDialect.DEQUANTIZE, List.of(q.result()), Attributes.EMPTY,
          List.of(new TensorType(ElementType.F32, v.type().shape(), null)), List.of(v.name() + ".dq"),
          q.location());
      dequantized.put(v, dq.result());
      return dq.result();
    }

    /** Quantizes the result of {@code n} to {@code type}; every reader then sees the dequantized value. */
    /** A split moves data: every part keeps the parameters of the input. */
    private boolean splitParts(Node n) {
      for (Value r : n.results()) {
        if (r.type().elementType() != ElementType.F32) {
          return false;
        }
      }
      Value dq = activation(n.operand(0));
      if (dq == null) {
        return false;
      }
      n.setOperand(0, dq);
      TensorType in = dq.producer().operand(0).type();
      Node after = n;
      for (Value r : n.results()) {
        after = quantizeResult(n, r, after, in.withShape(r.type().shape()));
      }
      return true;
    }

    private void quantizeResult(Node n, TensorType type) {
      quantizeResult(n, n.result(), n, type);
    }

    /** Quantizes result {@code r} of {@code n} (nodes inserted after {@code after}); returns the last node inserted. */
    private Node quantizeResult(Node n, Value r, Node after, TensorType type) {
      Node q = g.insertAfter(after, QDialect.QUANTIZE, List.of(r), Attributes.EMPTY, List.of(type),
          List.of(r.name() + ".q"), n.location());
      Node dq = g.insertAfter(q, QDialect.DEQUANTIZE, List.of(q.result()), Attributes.EMPTY,
          List.of(r.type().withQuant(null).withElementType(ElementType.F32)), List.of(r.name() + ".dq"), n.location());
      g.replaceAllUsesWith(r, dq.result());
      q.setOperand(0, r);
      dequantized.put(r, dq.result());
      return dq;
    }

    private Value quantizeWeight(Node n, Value w, QuantScheme scheme, int axis) {
      Tensor t = constant(w);
      TensorType wt = t.type();
      Tensor chosen = plan.weightCodes(w.name());
      if (chosen != null) {
        QuantParams cp = chosen.type().quant();
        if (!chosen.shape().equals(wt.shape()) || !(cp.isPerTensor() || cp.axis() == axis)) {
          throw new IllegalArgumentException("codes chosen for weight '" + w.name() + "' (" + chosen.type()
              + ") do not fit the constant " + wt + " quantized along axis " + axis);
        }
        return constantDequantized(n, w.name(), chosen);
      }
      boolean perChannel = !scheme.perTensor();
      int channels = perChannel ? wt.dim(axis) : 1;
      int inner = 1;
      for (int d = axis + 1; d < wt.rank(); d++) {
        inner *= wt.dim(d);
      }
      double[] lo = new double[channels];
      double[] hi = new double[channels];
      java.util.Arrays.fill(lo, Double.POSITIVE_INFINITY);
      java.util.Arrays.fill(hi, Double.NEGATIVE_INFINITY);
      for (int i = 0; i < t.size(); i++) {
        int c = perChannel ? (i / inner) % channels : 0;
        double v = t.getDouble(i);
        lo[c] = Math.min(lo[c], v);
        hi[c] = Math.max(hi[c], v);
      }
      dev.cimc.ir.quant.ValueRange fixed = plan.weightRange(w.name());
      if (fixed != null && fixed.channels() == channels) {
        lo = fixed.min();
        hi = fixed.max();
        // Weights outside the given range clamp to it (not to the code type's wider range).
        double[] v = new double[t.size()];
        for (int i = 0; i < v.length; i++) {
          int c = perChannel ? (i / inner) % channels : 0;
          v[i] = Math.max(lo[c], Math.min(hi[c], t.getDouble(i)));
        }
        t = Tensor.fromDoubles(t.type(), v);
      }
      QuantScheme s = new QuantScheme(scheme.kind(), scheme.bits(), scheme.signed(), scheme.symmetric(),
          perChannel ? axis : QuantParams.PER_TENSOR, scheme.powerOfTwoScale());
      TensorType qt = new TensorType(s.elementType(), wt.shape(), s.params(lo, hi));
      return constantDequantized(n, w.name(), QDialect.quantize(t, qt));
    }

    /** Log2 codes of {@code w} per output channel (along {@code axis}), expanded on load and dequantized. */
    private Value log2Weight(Node n, Value w, QuantScheme scheme, int axis) {
      Tensor t = constant(w);
      TensorType wt = t.type();
      int bits = scheme.bits();
      boolean perChannel = !scheme.perTensor();
      int channels = perChannel ? wt.dim(axis) : 1;
      int inner = 1;
      for (int d = axis + 1; d < wt.rank(); d++) {
        inner *= wt.dim(d);
      }
      double[] s = new double[channels];
      for (int i = 0; i < t.size(); i++) {
        int c = perChannel ? (i / inner) % channels : 0;
        s[c] = Math.max(s[c], Math.abs(t.getDouble(i)));
      }
      double[] units = new double[channels];
      for (int c = 0; c < channels; c++) {
        s[c] = s[c] > 0 ? (float) s[c] : 1.0;
        units[c] = dev.cimc.ir.quant.Log2Codes.unitScale(s[c], bits);
      }
      long[] codes = new long[t.size()];
      for (int i = 0; i < codes.length; i++) {
        int c = perChannel ? (i / inner) % channels : 0;
        codes[i] = dev.cimc.ir.quant.Log2Codes.encode(t.getDouble(i), s[c], bits);
      }
      QuantParams qp = perChannel ? QuantParams.perAxis(axis, units, new long[channels])
          : QuantParams.perTensor(units[0], 0);
      Tensor ct = Tensor.fromLongs(new TensorType(ElementType.I8, wt.shape(), qp), codes);
      Node c = g.insertBefore(n, Builtin.CONST, List.of(), Attributes.of("value", new Attribute.TensorAttr(ct)),
          List.of(ct.type()), List.of(w.name() + ".log2"), n.location());
      TensorType et = new TensorType(dev.cimc.ir.quant.Log2Codes.expandedType(bits), wt.shape(), qp);
      Node x = g.insertBefore(n, registry.get("q.log2_expand"), List.of(c.result()),
          Attributes.of("bits", Attribute.of((long) bits)), List.of(et), List.of(w.name() + ".q"), n.location());
      Node dq = g.insertBefore(n, QDialect.DEQUANTIZE, List.of(x.result()), Attributes.EMPTY,
          List.of(new TensorType(ElementType.F32, wt.shape(), null)), List.of(w.name() + ".dq"), n.location());
      weights++;
      return dq.result();
    }

    private Value quantizeBias(Node n, Value b, double sx, QuantParams wq) {
      Tensor t = constant(b);
      double[] scales = new double[wq.channels()];
      for (int c = 0; c < scales.length; c++) {
        scales[c] = sx * wq.scale(c);
      }
      QuantParams bp = wq.isPerTensor() ? QuantParams.perTensor(scales[0], 0)
          : QuantParams.perAxis(0, scales, new long[scales.length]);
      TensorType qt = new TensorType(ElementType.I32, t.shape(), bp);
      return constantDequantized(n, b.name(), QDialect.quantize(t, qt));
    }

    /** A quantized constant and its dequantize, inserted before {@code n}; returns the dequantized value. */
    private Value constantDequantized(Node n, String name, Tensor codes) {
      Node c = g.insertBefore(n, Builtin.CONST, List.of(), Attributes.of("value", new Attribute.TensorAttr(codes)),
          List.of(codes.type()), List.of(name + ".q"), n.location());
      Node dq = g.insertBefore(n, QDialect.DEQUANTIZE, List.of(c.result()), Attributes.EMPTY,
          List.of(new TensorType(ElementType.F32, codes.shape(), null)), List.of(name + ".dq"),
          n.location());
      weights++;
      return dq.result();
    }

    private QuantParams resultParams(Node n) {
      return plan.activationParams(n.result().name());
    }

    /**
     * Softmax results in [0, 1): scale 2^−bits and the smallest code as zero point (u8: 1/256, 0; i8: 1/256,
     * −128, TFLite's convention). The power-of-two scale makes {@code 1 / s} exact, which ONNX Runtime's
     * QLinearSoftmax assumes ({@code floor(1 / y_scale)}), and a probability of 1 saturates one code short.
     */
    private QuantParams softmaxParams(Node n) {
      QuantScheme s = plan.activationScheme(n.result().name());
      if (s.kind() != QuantScheme.Kind.AFFINE) {
        return null;
      }
      return QuantParams.perTensor(Math.scalb(1.0, -s.bits()), s.signed() ? -(1L << (s.bits() - 1)) : 0);
    }

    private ElementType activationType(Value v) {
      return plan.activationScheme(v.name()).elementType();
    }
  }

  /** A float constant of one element (the scale of an attention score, say). */
  static boolean isScalarConst(Value v) {
    return isConst(v) && v.type().elementType() == ElementType.F32 && v.type().numel() == 1;
  }

  static boolean isConst(Value v) {
    Node p = v.producer();
    return p != null && p.op().fullName().equals("const");
  }

  static Tensor constant(Value v) {
    return ((Attribute.TensorAttr) v.producer().attr("value")).value();
  }
}
