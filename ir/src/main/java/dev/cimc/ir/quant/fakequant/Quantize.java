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
 * its own; softmax results cover [0, 1]. Ops whose result the plan names in
 * {@link QuantPlan#floatLayers()} stay in float (their inputs are dequantized as any float reader's).
 *
 * <p>Ops handled: conv2d (constant weights, optional constant bias), gemm (alpha = beta = 1, trans_a = 0,
 * constant weights), matmul (constant matrix weights and activations of rank ≥ 2, or two activations), add, relu, clip, max_pool,
 * average_pool, global_average_pool (2-D, no dilation or ceil_mode), reshape, transpose, flatten, squeeze,
 * unsqueeze, softmax, layer_norm over the last axis,
 * and the unary functions sigmoid, tanh, hard_swish, hard_sigmoid, exp, gelu, leaky_relu (by table).
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
      "graph.reshape", "graph.transpose", "graph.flatten", "graph.squeeze", "graph.unsqueeze");

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
    var run = new Run(g, plan);
    for (Node n : g.nodes()) {
      if (!n.isErased()) {
        run.visit(n);
      }
    }
    keepOutputNames(g, outputNames);
    return new Stats(run.quantized, run.weights, run.skipped);
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
    final QuantPlan plan;
    final Map<Value, Value> dequantized = new IdentityHashMap<>();
    long quantized;
    long weights;
    long skipped;

    Run(Graph g, QuantPlan plan) {
      this.g = g;
      this.plan = plan;
    }

    void visit(Node n) {
      String op = n.op().fullName();
      if (n.numResults() != 1 || n.result().type().elementType() != ElementType.F32) {
        return;
      }
      if (plan.keepsFloat(n.result().name())) {
        if (hasIntegerForm(op)) {
          skipped++;
        }
        return;
      }
      boolean handled = switch (op) {
        case "graph.conv2d" -> conv(n);
        case "graph.gemm", "graph.matmul" -> gemm(n);
        case "graph.add" -> activationsOnly(n, 2, resultParams(n));
        case "graph.softmax" -> activationsOnly(n, 1, softmaxParams(n));
        case "graph.layer_norm" -> layerNorm(n);
        case "graph.average_pool", "graph.global_average_pool" -> averagePool(n);
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
      return op.equals("graph.conv2d") || op.equals("graph.gemm") || op.equals("graph.matmul")
          || op.equals("graph.add") || op.equals("graph.softmax") || op.equals("graph.layer_norm")
          || op.equals("graph.average_pool") || op.equals("graph.global_average_pool")
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
      boolean isGemm = n.op().fullName().equals("graph.gemm");
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
      if (ws.kind() != QuantScheme.Kind.AFFINE || !ws.symmetric() || !ws.signed()) {
        return null;
      }
      n.setOperand(0, x);
      Value wq = quantizeWeight(n, w, ws, axis);
      n.setOperand(1, wq);
      if (n.numOperands() > 2) {
        double sx = x.producer().operand(0).type().quant().scale(0);
        n.setOperand(2, quantizeBias(n, n.operand(2), sx, wq.producer().operand(0).type().quant()));
      }
      quantizeResult(n, new TensorType(activationType(n.result()), n.result().type().shape(), out));
      return n;
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
      if (isConst(v)) {
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
      TensorType qt = new TensorType(activationType(v), v.type().shape(), qp);
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
    private void quantizeResult(Node n, TensorType type) {
      Value r = n.result();
      Node q = g.insertAfter(n, QDialect.QUANTIZE, List.of(r), Attributes.EMPTY, List.of(type),
          List.of(r.name() + ".q"), n.location());
      Node dq = g.insertAfter(q, QDialect.DEQUANTIZE, List.of(q.result()), Attributes.EMPTY,
          List.of(r.type().withQuant(null).withElementType(ElementType.F32)), List.of(r.name() + ".dq"), n.location());
      g.replaceAllUsesWith(r, dq.result());
      q.setOperand(0, r);
      dequantized.put(r, dq.result());
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

    private QuantParams softmaxParams(Node n) {
      return plan.activationScheme(n.result().name()).params(new double[] {0}, new double[] {1});
    }

    private ElementType activationType(Value v) {
      return plan.activationScheme(v.name()).elementType();
    }
  }

  static boolean isConst(Value v) {
    Node p = v.producer();
    return p != null && p.op().fullName().equals("const");
  }

  static Tensor constant(Value v) {
    return ((Attribute.TensorAttr) v.producer().attr("value")).value();
  }
}
