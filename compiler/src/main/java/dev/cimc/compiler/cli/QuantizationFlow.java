package dev.cimc.compiler.cli;

import dev.cimc.cim.target.QuantDefaults;
import dev.cimc.cim.target.Target;
import dev.cimc.cim.target.Targets;
import dev.cimc.compiler.model.LoadedModel;
import dev.cimc.compiler.quant.QuantConfigFile;
import dev.cimc.compiler.quant.QuantReportJson;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.pass.Pass;
import dev.cimc.ir.pass.PassOptions;
import dev.cimc.ir.pass.PassPipeline;
import dev.cimc.ir.pass.PassRegistry;
import dev.cimc.ir.pass.PassResources;
import dev.cimc.ir.pass.PassWarnings;
import dev.cimc.ir.pass.Pipelines;
import dev.cimc.ir.quant.calibrate.CalibrationData;
import dev.cimc.ir.quant.calibrate.Calibrator;
import dev.cimc.ir.quant.config.QuantConfig;
import dev.cimc.ir.quant.config.QuantConfigSource;
import dev.cimc.ir.quant.fakequant.Quantize;
import dev.cimc.ir.quant.ptq.PostTrainingQuantization;
import dev.cimc.ir.quant.report.EvalSet;
import dev.cimc.ir.quant.report.QuantReport;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The quantization options of the main command ({@code --emit=qgraph}) and what they do to the pipeline:
 * the target's default bits and the flags become options of the pipeline's {@code quantize} passes, the
 * calibration samples a pass resource. Flags win over the target; the target wins over the defaults of a
 * preset -O pipeline but not over options written in {@code --passes} text.
 */
final class QuantizationFlow {
  @Option(names = "--calib", paramLabel = "DIR",
      description = "Calibration samples for --emit=qgraph: a folder of .npz (inputs by name) or .npy files, or one "
          + ".npz of batches (arrays named like the inputs, samples along the first axis).")
  Path calib;

  @Option(names = "--calib-inputs", paramLabel = "KEY",
      description = "Array of a --calib .npz holding the inputs of a single-input model (e.g. calib_images).")
  String calibInputs;

  @Option(names = "--calib-random", paramLabel = "N",
      description = "Calibrate on N random samples instead (the ranges will not match real data).")
  Integer calibRandom;

  @Option(names = "--weight-bits", paramLabel = "B", description = "Weight bits (2-8; default: from the target).")
  Integer weightBits;

  @Option(names = "--activation-bits", paramLabel = "B",
      description = "Activation bits (2-8; default: from the target).")
  Integer activationBits;

  @Option(names = "--weight-granularity", paramLabel = "G",
      description = "Weight scales per output 'channel' (default) or per 'tensor'.")
  String weightGranularity;

  @Option(names = "--symmetric-activations", description = "Signed symmetric activations (zero point 0).")
  Boolean symmetricActivations;

  @Option(names = "--pow2-scales", description = "Power-of-two scales everywhere (shift-only requantization).")
  Boolean pow2Scales;

  @Option(names = "--weight-range", paramLabel = "M", description = "Weight range setting: minmax or mse.")
  String weightRange;

  @Option(names = "--activation-range", paramLabel = "M",
      description = "Activation range setting: minmax, ema, percentile, mse or kl.")
  String activationRange;

  @Option(names = "--percentile", paramLabel = "P", description = "Percentile of --activation-range=percentile "
      + "(default 99.99).")
  Double percentile;

  @Option(names = "--classifier-range", paramLabel = "M",
      description = "Range setting of the classifier's logits: cross-entropy (default) or same.")
  String classifierRange;

  @Option(names = "--adaround", negatable = true, description = "AdaRound the weights (default: on at -O3).")
  Boolean adaround;

  @Option(names = "--bias-correction", negatable = true,
      description = "Empirical bias correction (default: on at -O3).")
  Boolean biasCorrection;

  @Option(names = "--quant-config", paramLabel = "FILE",
      description = "Mixed precision per layer: a YAML or JSON file (docs/quantization-config.md); DSL @quant "
          + "annotations apply after its rules.")
  Path quantConfig;

  @Option(names = "--quant-report", paramLabel = "FILE",
      description = "Write the quantization report (per layer scheme, bits, scales, SQNR; overall SQNR, cosine, "
          + "accuracy) as JSON; a table goes to stderr.")
  Path quantReport;

  @Option(names = "--eval", paramLabel = "DATA",
      description = "Samples the report is measured on (a folder like --calib, or an .npz with labels); "
          + "default: the calibration samples.")
  Path eval;

  @Option(names = "--eval-inputs", paramLabel = "KEY", description = "Array of --eval's .npz holding the inputs.")
  String evalInputs;

  @Option(names = "--eval-labels", paramLabel = "KEY",
      description = "Array of --eval's .npz holding integer labels (for accuracy).")
  String evalLabels;

  /** True if some flag asks for quantization. */
  boolean anyGiven() {
    return calib != null || calibInputs != null || calibRandom != null || weightBits != null || activationBits != null
        || weightGranularity != null || symmetricActivations != null || pow2Scales != null || weightRange != null
        || activationRange != null || percentile != null || classifierRange != null || adaround != null
        || biasCorrection != null || quantConfig != null || quantReport != null || eval != null;
  }

  /**
   * {@code pipeline} ready to emit the quantized graph: quantize and lower-to-integer appended if it has no
   * quantize pass, and the target's and the flags' settings in the options of its quantize passes.
   */
  PassPipeline configure(PassPipeline pipeline, PassRegistry registry, String targetName, boolean presetPipeline) {
    Target target = Targets.load(targetName);
    QuantDefaults d = QuantDefaults.of(target);
    List<Pass> passes = new ArrayList<>(pipeline.passes());
    if (passes.stream().noneMatch(p -> p.name().equals(Pipelines.QUANTIZE))) {
      passes.add(registry.get(Pipelines.QUANTIZE).create());
      passes.add(registry.get("lower-to-integer").create());
    }
    for (int i = 0; i < passes.size(); i++) {
      Pass p = passes.get(i);
      if (!p.name().equals(Pipelines.QUANTIZE)) {
        continue;
      }
      PassOptions o = p.options();
      if (presetPipeline) {
        o = o.with("weight-bits", (long) d.weights().bits()).with("activation-bits", (long) d.activations().bits());
      }
      o = set(o, "weight-bits", weightBits == null ? null : (long) bits("--weight-bits", weightBits));
      o = set(o, "activation-bits", activationBits == null ? null : (long) bits("--activation-bits", activationBits));
      o = set(o, "weight-granularity", choice("--weight-granularity", weightGranularity, o));
      o = set(o, "symmetric-activations", symmetricActivations);
      o = set(o, "pow2-scales", pow2Scales);
      o = set(o, "weight-range", choice("--weight-range", weightRange, o));
      o = set(o, "activation-range", choice("--activation-range", activationRange, o));
      if (percentile != null && !(percentile > 50 && percentile <= 100)) {
        throw new UsageException("--percentile takes a value in (50, 100], got " + percentile, null);
      }
      o = set(o, "percentile", percentile);
      o = set(o, "classifier-range", choice("--classifier-range", classifierRange, o));
      o = set(o, "adaround", adaround);
      o = set(o, "bias-correction", biasCorrection);
      passes.set(i, p.def().create(o));
    }
    return PassPipeline.of(passes);
  }

  /**
   * The pass resources of a quantizing compilation: calibration samples (with a progress bar), the
   * mixed-precision rules of --quant-config then the model's DSL annotations, warnings to {@code err}, and
   * the listener that keeps the float reference for the report.
   */
  PassResources resources(LoadedModel model, PrintStream err, Report report) {
    Graph g = model.graph();
    QuantConfig file = quantConfig != null ? QuantConfigFile.read(quantConfig) : QuantConfig.EMPTY;
    PassResources base = PassResources.empty()
        .with(QuantConfigSource.class, QuantConfigSource.of(file.then(model.quantRules())))
        .with(PassWarnings.class, (pass, message) -> err.println(message))
        .with(Quantize.Listener.class, report::planned);
    if (calib == null && calibRandom == null) {
      throw new UsageException("--emit=qgraph needs calibration data",
          "give --calib DIR (samples of real inputs) or --calib-random N");
    }
    if (calibRandom != null && calibRandom < 1) {
      throw new UsageException("--calib-random takes N >= 1, got " + calibRandom, null);
    }
    CalibrationData data = calib == null ? CalibrationData.random(g, calibRandom, 0)
        : calibInputs != null ? keyed(g) : CalibrationData.directory(calib, g);
    for (String warning : data.warnings()) {
      err.println("warning: " + warning);
    }
    var bar = new ProgressBar(err, "calibrating");
    Calibrator.Progress progress = (done, total) -> {
      bar.update(done, total);
      if (done == total) {
        bar.done();
      }
    };
    report.calibration = data;
    // Read the evaluation data now: a bad --eval fails before minutes of calibration, not after.
    report.eval = eval != null ? EvalSet.of(eval, g, evalInputs, evalLabels) : null;
    return base.with(CalibrationData.class, data).with(Calibrator.Progress.class, progress);
  }

  /** What the quantize pass planned, kept for the report. */
  static final class Report implements Quantize.Listener {
    Graph floatGraph;
    PostTrainingQuantization.Result result;
    CalibrationData calibration;
    EvalSet eval;

    @Override
    public void planned(Graph reference, PostTrainingQuantization.Result r) {
      floatGraph = reference;
      result = r;
    }
  }

  /** True if a report is asked for (--quant-report or --eval). */
  boolean wantsReport() {
    return quantReport != null || eval != null;
  }

  /** Measures the report on the quantized graph {@code g}: a table on {@code err}, JSON with --quant-report. */
  void report(Report planned, Graph g, PrintStream err, Map<String, String> provenance) {
    if (planned.floatGraph == null) {
      throw new UsageException("--quant-report and --eval need a pipeline with a quantize pass", null);
    }
    EvalSet set = planned.eval != null ? planned.eval : new EvalSet(planned.calibration, null);
    if (eval == null) {
      err.println("note: the report is measured on the calibration samples (give --eval DATA for held-out data)");
    }
    var bar = new ProgressBar(err, "measuring");
    QuantReport rep = QuantReport.measure(planned.floatGraph, g, set.samples(), QuantReport.Settings.defaults()
        .withLabels(set.labels()).withPlan(planned.result.plan()).withThreads(2).withProgress((done, total) -> {
          bar.update(done, total);
          if (done == total) {
            bar.done();
          }
        }));
    err.print(rep.table());
    if (quantReport != null) {
      QuantReportJson.write(quantReport, rep, provenance);
    }
  }

  private CalibrationData keyed(Graph g) {
    if (g.inputs().size() != 1) {
      throw new UsageException("--calib-inputs selects the array of a single-input model; this one has "
          + g.inputs().size() + " inputs", "name the arrays of the .npz like the inputs and drop --calib-inputs");
    }
    Map<String, dev.cimc.ir.tensor.Tensor> arrays = dev.cimc.ir.npy.TensorFiles.read(calib);
    var t = arrays.get(calibInputs);
    if (t == null) {
      throw new dev.cimc.ir.diag.CimcException(dev.cimc.ir.diag.Location.file(calib.toString()),
          "no array named '" + calibInputs + "'", "the archive holds: " + String.join(", ", arrays.keySet()));
    }
    return CalibrationData.batches(g, Map.of(calibInputs, t), calib.toString());
  }

  private static PassOptions set(PassOptions o, String name, Object value) {
    return value == null ? o : o.with(name, value);
  }

  /** {@code value} checked against the option's choices (a usage error naming the flag otherwise). */
  private static String choice(String flag, String value, PassOptions o) {
    if (value == null) {
      return null;
    }
    List<String> choices = o.def().option(flag.substring(2)).choices();
    if (!choices.contains(value)) {
      throw new UsageException(flag + " takes one of " + String.join(", ", choices) + "; got '" + value + "'", null);
    }
    return value;
  }

  private static int bits(String flag, int b) {
    if (b < 2 || b > 8) {
      throw new UsageException(flag + " takes 2 to 8 bits, got " + b, null);
    }
    return b;
  }
}
