package dev.cimc.ir.quant.report;

import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.dialect.q.QDialect;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.interp.Interpreter;
import dev.cimc.ir.op.Trait;
import dev.cimc.ir.quant.QuantPlan;
import dev.cimc.ir.quant.QuantScheme;
import dev.cimc.ir.quant.calibrate.CalibrationData;
import dev.cimc.ir.quant.calibrate.Calibrator;
import dev.cimc.ir.quant.config.MixedPrecision;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.QuantParams;
import dev.cimc.ir.type.TensorType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * How much a quantized graph departs from its float original, measured on evaluation samples: per layer
 * the weight and activation schemes, the weight scale range and output scale, and the SQNR of the layer's
 * output against the float graph's; over the graph outputs the SQNR, cosine similarity and largest absolute
 * error; with labels, top-1 accuracy of both graphs on output 0 (class scores along its last axis).
 *
 * <p>Values correspond by name: {@code quantize} keeps each float op's result name and names its codes
 * {@code <name>.q}, and {@code lower-to-integer} gives its integer ops the name of the quantize they replace;
 * so a float value {@code x} is compared with the dequantized {@code x.q} of the quantized graph (if that is
 * a quantized value of the same shape), else with a float {@code x} of the same shape (a layer left in
 * float), else not at all (SQNR NaN). Both graphs run once per sample with intermediates kept; the sample
 * is dropped before the next, so memory holds one sample's values, not the data set.
 *
 * @param samples evaluation samples run
 * @param layers one entry per computing layer of the float graph (constants and pure data movement left out),
 *     in graph order
 * @param outputSqnrDb SQNR over all graph outputs (dB; +∞ when exact)
 * @param cosine cosine similarity over all graph outputs
 * @param maxAbsError largest absolute difference over all graph outputs
 * @param accuracy top-1 accuracy, or null without labels
 */
public record QuantReport(int samples, List<LayerReport> layers, double outputSqnrDb, double cosine,
    double maxAbsError, Accuracy accuracy) {
  public QuantReport {
    layers = List.copyOf(layers);
  }

  /** Ops that only move data: their values equal their inputs', so they add no line to the report. */
  private static final Set<String> DATA_MOVEMENT = Set.of("graph.reshape", "graph.transpose", "graph.flatten",
      "graph.squeeze", "graph.unsqueeze", "graph.identity");

  /**
   * Top-1 accuracy on output 0.
   *
   * @param rows labelled rows (samples × batch)
   * @param floatCorrect rows the float graph classifies right
   * @param quantizedCorrect rows the quantized graph classifies right
   * @param agreeing rows where both graphs pick the same class
   */
  public record Accuracy(long rows, long floatCorrect, long quantizedCorrect, long agreeing) {
    public double floatTop1() {
      return rows == 0 ? Double.NaN : (double) floatCorrect / rows;
    }

    public double quantizedTop1() {
      return rows == 0 ? Double.NaN : (double) quantizedCorrect / rows;
    }

    public double agreement() {
      return rows == 0 ? Double.NaN : (double) agreeing / rows;
    }
  }

  /**
   * What to measure with.
   *
   * @param labels class index per row of output 0, in sample order, or null
   * @param plan the plan the graph was quantized with, for exact bit widths (codes of 3 bits are stored in
   *     4-bit types), or null to read widths from the types
   * @param threads interpreter threads
   * @param progress told after each sample
   */
  public record Settings(long[] labels, QuantPlan plan, int threads, Calibrator.Progress progress) {
    public Settings {
      if (threads < 1) {
        throw new IllegalArgumentException("threads must be ≥ 1, got " + threads);
      }
      labels = labels == null ? null : labels.clone();
      progress = progress == null ? Calibrator.Progress.NONE : progress;
    }

    /** No labels, widths from the types, two threads, no progress. */
    public static Settings defaults() {
      return new Settings(null, null, 2, Calibrator.Progress.NONE);
    }

    public Settings withLabels(long[] l) {
      return new Settings(l, plan, threads, progress);
    }

    public Settings withPlan(QuantPlan p) {
      return new Settings(labels, p, threads, progress);
    }

    public Settings withThreads(int n) {
      return new Settings(labels, plan, n, progress);
    }

    public Settings withProgress(Calibrator.Progress p) {
      return new Settings(labels, plan, threads, p);
    }
  }

  /** One layer being measured: the float value and its counterpart in the quantized graph. */
  private record Probe(Node node, String floatName, String quantName, boolean codes, ErrorSum error) {}

  /**
   * Runs {@code floatGraph} (after the graph passes, before {@code quantize}) and {@code quantGraph} (after
   * {@code quantize}, and possibly {@code lower-to-integer}) on every sample of {@code eval}.
   */
  public static QuantReport measure(Graph floatGraph, Graph quantGraph, CalibrationData eval, Settings s) {
    if (floatGraph == quantGraph) {
      throw new IllegalArgumentException("the float and quantized graphs must be different graphs");
    }
    if (floatGraph.outputs().size() != quantGraph.outputs().size()) {
      throw new CimcException("the quantized graph has " + quantGraph.outputs().size() + " outputs, the float graph "
          + floatGraph.outputs().size(), "compare a graph with its own quantized form");
    }
    var probes = new ArrayList<Probe>();
    for (Node n = floatGraph.first(); n != null; n = n.next()) {
      if (n.op().has(Trait.CONSTANT_LIKE) || n.numResults() != 1 || DATA_MOVEMENT.contains(n.op().fullName())) {
        continue;
      }
      Value r = n.result();
      Value codes = quantGraph.value(r.name() + ".q");
      if (codes != null && codes.type().isQuantized() && sameShape(codes.type(), r.type())) {
        probes.add(new Probe(n, r.name(), codes.name(), true, new ErrorSum()));
        continue;
      }
      Value f = quantGraph.value(r.name());
      boolean floatCounterpart = f != null && !f.type().isQuantized() && f.type().elementType().isFloat()
          && sameShape(f.type(), r.type()) && !f.isGraphInput();
      probes.add(new Probe(n, r.name(), floatCounterpart ? f.name() : null, false, new ErrorSum()));
    }
    var outputs = new ErrorSum();
    long[] labels = s.labels();
    long rows = 0;
    long floatRight = 0;
    long quantRight = 0;
    long agree = 0;
    int total = eval.size();
    try (Interpreter interp = Interpreter.withThreads(s.threads())) {
      for (int i = 0; i < total; i++) {
        Map<String, Tensor> in = eval.sample(i);
        Interpreter.Result fr = interp.run(floatGraph, in, true);
        Interpreter.Result qr = interp.run(quantGraph, in, true);
        for (Probe p : probes) {
          Tensor q = p.quantName() == null ? null : qr.intermediates().get(p.quantName());
          Tensor f = fr.intermediates().get(p.floatName());
          if (q != null && f != null) {
            p.error().add(f, p.codes() ? QDialect.dequantize(q) : q);
          }
        }
        var fo = new ArrayList<>(fr.outputs().values());
        var qo = new ArrayList<>(qr.outputs().values());
        for (int o = 0; o < fo.size(); o++) {
          Tensor q = qo.get(o);
          outputs.add(fo.get(o), q.type().isQuantized() ? QDialect.dequantize(q) : q);
        }
        if (labels != null) {
          Tensor f = fo.get(0);
          Tensor q = qo.get(0).type().isQuantized() ? QDialect.dequantize(qo.get(0)) : qo.get(0);
          int classes = f.type().rank() == 0 ? 1 : f.type().dim(f.type().rank() - 1);
          int n = f.size() / classes;
          if (rows + n > labels.length) {
            throw new CimcException("the evaluation data has more rows than labels (" + labels.length + ")",
                "give one label per row of the first output");
          }
          for (int row = 0; row < n; row++) {
            int a = argmax(f, row * classes, classes);
            int b = argmax(q, row * classes, classes);
            long label = labels[(int) rows + row];
            floatRight += a == label ? 1 : 0;
            quantRight += b == label ? 1 : 0;
            agree += a == b ? 1 : 0;
          }
          rows += n;
        }
        s.progress().update(i + 1, total);
      }
    }
    if (labels != null && rows != labels.length) {
      throw new CimcException("the evaluation data has " + rows + " rows but " + labels.length + " labels",
          "give one label per row of the first output");
    }
    var layers = new ArrayList<LayerReport>();
    for (Probe p : probes) {
      layers.add(describe(p, quantGraph, s.plan()));
    }
    Accuracy acc = labels == null ? null : new Accuracy(rows, floatRight, quantRight, agree);
    return new QuantReport(total, layers, outputs.sqnrDb(), outputs.cosine(), outputs.maxAbs, acc);
  }

  private static boolean sameShape(TensorType a, TensorType b) {
    return Arrays.equals(a.shape().dims(), b.shape().dims());
  }

  private static int argmax(Tensor t, int from, int n) {
    int best = 0;
    double v = t.getDouble(from);
    for (int k = 1; k < n; k++) {
      double x = t.getDouble(from + k);
      if (x > v) {
        v = x;
        best = k;
      }
    }
    return best;
  }

  private static LayerReport describe(Probe p, Graph q, QuantPlan plan) {
    Node n = p.node();
    String wScheme = null;
    Integer wBits = null;
    double wMin = Double.NaN;
    double wMax = Double.NaN;
    Value w = MixedPrecision.weight(n);
    if (w != null) {
      Value wq = q.value(w.name() + ".q");
      if (wq != null && wq.type().isQuantized()) {
        QuantScheme own = plan == null ? null : plan.weightScheme(w.name());
        wBits = own != null ? own.bits() : wq.type().elementType().bits();
        QuantParams qp = wq.type().quant();
        wScheme = scheme(wq.type().elementType(), wBits, qp, own, true);
        wMin = Double.POSITIVE_INFINITY;
        wMax = Double.NEGATIVE_INFINITY;
        for (double sc : qp.scales()) {
          wMin = Math.min(wMin, sc);
          wMax = Math.max(wMax, sc);
        }
      } else {
        wScheme = "float";
      }
    }
    String aScheme = "float";
    Integer aBits = null;
    double outScale = Double.NaN;
    if (p.codes()) {
      TensorType t = q.value(p.quantName()).type();
      QuantScheme own = plan == null ? null : plan.activationScheme(p.floatName());
      aBits = own != null && own.kind() == QuantScheme.Kind.AFFINE ? own.bits() : t.elementType().bits();
      aScheme = scheme(t.elementType(), aBits, t.quant(), own, false);
      outScale = t.quant().scale(0);
    }
    return new LayerReport(p.floatName(), n.op().fullName(), wScheme, wBits, wMin, wMax, aScheme, aBits, outScale,
        p.quantName() == null ? Double.NaN : p.error().sqnrDb());
  }

  /**
   * {@code int4 sym per-channel}, {@code uint8 asym}: sign, bits, symmetry (the plan's scheme when known, else
   * whether every zero point is 0), granularity (weights only), power-of-two scales.
   */
  private static String scheme(ElementType et, int bits, QuantParams qp, QuantScheme own, boolean weight) {
    var sb = new StringBuilder(et.isSigned() ? "int" : "uint").append(bits);
    boolean sym = own != null ? own.symmetric() : qp.isSymmetric();
    boolean pow2 = own != null && own.powerOfTwoScale();
    sb.append(sym ? " sym" : " asym");
    if (weight) {
      sb.append(qp.isPerTensor() ? " per-tensor" : " per-channel");
    }
    if (pow2) {
      sb.append(" pow2");
    }
    return sb.toString();
  }

  // -------------------------------------------------------------------------------------------- rendering

  /** The report as a fixed-width table with a summary, for stderr; the same report gives the same text. */
  public String table() {
    String[] head = {"layer", "op", "weight", "w scale min..max", "activation", "out scale", "SQNR dB"};
    var rowsText = new ArrayList<String[]>();
    rowsText.add(head);
    for (LayerReport l : layers) {
      rowsText.add(new String[] {l.name(), shortOp(l.op()), l.weightScheme() == null ? "-" : l.weightScheme(),
          Double.isNaN(l.weightScaleMin()) ? "-" : sci(l.weightScaleMin()) + ".." + sci(l.weightScaleMax()),
          l.activationScheme(), Double.isNaN(l.outputScale()) ? "-" : sci(l.outputScale()), db(l.sqnrDb())});
    }
    int[] width = new int[head.length];
    for (String[] r : rowsText) {
      for (int c = 0; c < r.length; c++) {
        width[c] = Math.max(width[c], r[c].length());
      }
    }
    var sb = new StringBuilder();
    sb.append("quantization report: ").append(samples).append(samples == 1 ? " sample\n" : " samples\n");
    for (String[] r : rowsText) {
      var line = new StringBuilder();
      for (int c = 0; c < r.length; c++) {
        if (c > 0) {
          line.append("  ");
        }
        boolean right = c == 5 || c == 6;
        String cell = r[c];
        String pad = " ".repeat(width[c] - cell.length());
        line.append(right ? pad + cell : cell + (c == r.length - 1 ? "" : pad));
      }
      sb.append(line.toString().stripTrailing()).append('\n');
    }
    sb.append(String.format(Locale.ROOT, "output: SQNR %s dB, cosine %.6f, max |error| %s%n", db(outputSqnrDb),
        cosine, sci(maxAbsError)));
    if (accuracy != null) {
      sb.append(String.format(Locale.ROOT, "top-1: float %.2f%% (%d/%d), quantized %.2f%% (%d/%d), agreement %.2f%%%n",
          100 * accuracy.floatTop1(), accuracy.floatCorrect(), accuracy.rows(), 100 * accuracy.quantizedTop1(),
          accuracy.quantizedCorrect(), accuracy.rows(), 100 * accuracy.agreement()));
    }
    return sb.toString();
  }

  private static String shortOp(String op) {
    return op.startsWith("graph.") ? op.substring(6) : op;
  }

  private static String sci(double v) {
    return String.format(Locale.ROOT, "%.3e", v);
  }

  private static String db(double v) {
    if (Double.isNaN(v)) {
      return "-";
    }
    return Double.isInfinite(v) ? "exact" : String.format(Locale.ROOT, "%.2f", v);
  }
}
