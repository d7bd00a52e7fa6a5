package dev.cimc.compiler.cli;

import dev.cimc.ir.interp.ResNetBenchmark;
import dev.cimc.ir.text.TextBenchmark;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code cimc bench ...}: the performance figures the issues set targets for. */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Benchmarks that print the figures cimc's performance targets are stated in.",
    subcommands = {BenchCommand.Text.class, BenchCommand.ResNet50.class, BenchCommand.Import.class,
        BenchCommand.Cle.class, BenchCommand.Dsl.class, BenchCommand.Calib.class, BenchCommand.O1.class})
final class BenchCommand implements Callable<Integer> {
  @ParentCommand
  CimcCli root;

  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(root.out);
    return ExitCode.USAGE;
  }

  /** Print and parse throughput of the text IR. */
  @Command(name = "text", mixinStandardHelpOptions = true,
      description = "Print + parse a synthetic graph; reports nodes/s (targets: 1,000,000 print, 500,000 parse).")
  static final class Text implements Callable<Integer> {
    @ParentCommand
    BenchCommand bench;

    @Option(names = "--nodes", defaultValue = "100000", description = "Graph size (default: ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--iterations", defaultValue = "10", description = "Measured iterations (default: ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = "--warmups", defaultValue = "5", description = "Warm-up iterations (default: ${DEFAULT-VALUE}).")
    int warmups;

    @Override
    public Integer call() {
      if (nodes < 1 || warmups < 0 || iterations < 1) {
        throw new UsageException("need --nodes >= 1, --warmups >= 0 and --iterations >= 1", null);
      }
      var r = TextBenchmark.run(nodes, warmups, iterations);
      bench.root.out.println(r.summary());
      return ExitCode.OK;
    }
  }

  /** Float inference of a ResNet-50-shaped graph in the reference interpreter. */
  @Command(name = "resnet50", mixinStandardHelpOptions = true,
      description = {"Float inference of ResNet-50 (batch 1, 3x224x224, random weights) in the interpreter;",
          "reports GFLOP/s, ms per image and peak heap (targets: >= 8 GFLOP/s conv2d, <= 1 s, <= 1.5 GB)."})
  static final class ResNet50 implements Callable<Integer> {
    @ParentCommand
    BenchCommand bench;

    @Option(names = "--threads", defaultValue = "2", description = "Interpreter threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--warmups", defaultValue = "3", description = "Warm-up inferences (default: ${DEFAULT-VALUE}).")
    int warmups;

    @Option(names = "--iterations", defaultValue = "5", description = "Measured inferences (default: ${DEFAULT-VALUE}).")
    int iterations;

    @Override
    public Integer call() {
      if (threads < 1 || warmups < 0 || iterations < 1) {
        throw new UsageException("need --threads >= 1, --warmups >= 0 and --iterations >= 1", null);
      }
      var r = ResNetBenchmark.run(new ResNetBenchmark.Settings(threads, warmups, iterations, 42));
      bench.root.out.println(r.format());
      return ExitCode.OK;
    }
  }

  /** ONNX import throughput and peak heap. */
  @Command(name = "import", mixinStandardHelpOptions = true,
      description = {"Import an ONNX model repeatedly; reports MB/s and peak heap (targets: >= 200 MB/s,",
          "<= 2.5 x model size). Without MODEL, exports a ResNet-50 with random weights (~100 MB) and imports it."})
  static final class Import implements Callable<Integer> {
    @ParentCommand
    BenchCommand bench;

    @picocli.CommandLine.Parameters(index = "0", arity = "0..1", paramLabel = "MODEL", description = "An .onnx file.")
    java.nio.file.Path model;

    @Option(names = "--warmups", defaultValue = "2", description = "Warm-up imports (default: ${DEFAULT-VALUE}).")
    int warmups;

    @Option(names = "--iterations", defaultValue = "5", description = "Measured imports (default: ${DEFAULT-VALUE}).")
    int iterations;

    @Override
    public Integer call() throws java.io.IOException {
      if (warmups < 0 || iterations < 1) {
        throw new UsageException("need --warmups >= 0 and --iterations >= 1", null);
      }
      bench.root.out.println(dev.cimc.frontend.onnx.ImportBenchmark.run(model, warmups, iterations).format());
      return ExitCode.OK;
    }
  }

  /**
   * Cross-layer equalization: per-layer channel-range ratios and the 8-bit weight SQNR before and after; with
   * {@code --data}, the per-tensor W8A8 output SQNR of the integer graph without and with equalization.
   */
  @Command(name = "cle", mixinStandardHelpOptions = true,
      description = {"Cross-layer equalization report: per layer the ratio of the largest to the smallest per-channel",
          "weight range before and after, and the output SQNR with per-tensor quantized weights before and after.",
          "With --data: calibrate on real inputs, quantize per tensor (W8A8 by default) with and without CLE,",
          "lower to integer ops and report the output SQNR and cosine against the float model.",
          "Without MODEL: a MobileNetV2-shaped graph with random weights and calibrated batch norms."})
  static final class Cle implements Callable<Integer> {
    @ParentCommand
    BenchCommand bench;

    @picocli.CommandLine.Parameters(index = "0", arity = "0..1", paramLabel = "MODEL", description = "An .onnx or .cir model.")
    java.nio.file.Path model;

    @Option(names = "--bits", defaultValue = "8", description = "Weight bits (default: ${DEFAULT-VALUE}).")
    int bits;

    @Option(names = "--data", paramLabel = "FILE.npz",
        description = "Calibration and evaluation inputs stacked along axis 0 (e.g. tests/src/test/resources/models/digits.npz).")
    java.nio.file.Path data;

    @Option(names = "--calib-array", defaultValue = "calib_images",
        description = "Array of --data to calibrate on (default: ${DEFAULT-VALUE}).")
    String calibArray;

    @Option(names = "--eval-array", defaultValue = "eval_images",
        description = "Array of --data to measure on (default: ${DEFAULT-VALUE}).")
    String evalArray;

    @Option(names = "--calib-samples", description = "Calibration samples (default: all).")
    Integer calibSamples;

    @Option(names = "--eval-samples", description = "Evaluation samples (default: all).")
    Integer evalSamples;

    @Option(names = "--activation-bits", defaultValue = "8", description = "Activation bits with --data (default: ${DEFAULT-VALUE}).")
    int activationBits;

    @picocli.CommandLine.Mixin
    ModelOptions modelOptions;

    @Override
    public Integer call() {
      if (bits < 2 || bits > 8) {
        throw new UsageException("--bits takes 2 to 8, got " + bits, null);
      }
      if (activationBits < 2 || activationBits > 8) {
        throw new UsageException("--activation-bits takes 2 to 8, got " + activationBits, null);
      }
      var d = dev.cimc.ir.transform.CleReport.Settings.defaults();
      var settings = new dev.cimc.ir.transform.CleReport.Settings(bits, d.inputs(), d.seed());
      if (model == null) {
        if (data != null) {
          throw new UsageException("--data needs a MODEL", "give the model the data belongs to");
        }
        dev.cimc.ir.transform.CleReport.main(new String[] {"--bits", Integer.toString(bits)});
        return ExitCode.OK;
      }
      var g = dev.cimc.compiler.model.ModelLoader.load(model, dev.cimc.ir.dialect.Dialects.standard(),
          modelOptions.toOptions(bench.root.err));
      bench.root.out.print(dev.cimc.ir.transform.CleReport.run(g, settings).format(
          "cross-layer equalization on " + model + " (Gaussian inputs)"));
      if (data != null) {
        quantized(g);
      }
      return ExitCode.OK;
    }

    /** The W8A8 (or --bits/--activation-bits) acceptance figures on the arrays of --data. */
    private void quantized(dev.cimc.ir.graph.Graph g) {
      if (g.inputs().size() != 1) {
        throw new UsageException("--data takes models with one input, " + model + " has " + g.inputs().size(), null);
      }
      var arrays = dev.cimc.ir.npy.NpzFormat.read(data);
      String input = g.input(0).name();
      var calib = slices(arrays, calibArray, "--calib-array", input, calibSamples, "--calib-samples");
      var eval = slices(arrays, evalArray, "--eval-array", input, evalSamples, "--eval-samples");
      var s = dev.cimc.ir.quant.ptq.PtqPipeline.Settings.perTensorW8A8();
      s = s.withWeights(new dev.cimc.ir.quant.QuantScheme(dev.cimc.ir.quant.QuantScheme.Kind.AFFINE, bits, true, true,
          dev.cimc.ir.type.QuantParams.PER_TENSOR, false), s.weightRanges());
      s = new dev.cimc.ir.quant.ptq.PtqPipeline.Settings(s.equalize(), s.weights(), activationBits, s.weightRanges(),
          s.activations(), s.classifier(), s.fuseActivations(), s.biasCorrection(), s.biasCorrectionSamples(),
          Math.max(1, Runtime.getRuntime().availableProcessors()));
      long t0 = System.nanoTime();
      var r = dev.cimc.ir.quant.ptq.EqualizationReport.run(g, calib, eval, s, true);
      bench.root.out.print(r.summary(String.format(java.util.Locale.ROOT,
          "%nper-tensor quantization of %s, calibrated on %s:%s (%d samples), measured on %s:%s", model, data,
          calibArray, calib.size(), data, evalArray)));
      bench.root.out.printf(java.util.Locale.ROOT, "(%.1f s)%n", (System.nanoTime() - t0) / 1e9);
    }

    private dev.cimc.ir.quant.calibrate.CalibrationData slices(java.util.Map<String, dev.cimc.ir.tensor.Tensor> arrays,
        String name, String flag, String input, Integer count, String countFlag) {
      var t = arrays.get(name);
      if (t == null) {
        throw new UsageException(data + " has no array '" + name + "'",
            "it holds " + String.join(", ", new java.util.TreeSet<>(arrays.keySet())) + "; choose one with " + flag);
      }
      int available = t.shape().rank() == 0 ? 0 : t.shape().dim(0);
      int n = count == null ? available : count;
      if (n < 1 || n > available) {
        throw new UsageException(countFlag + " takes 1 to " + available + " (the samples in '" + name + "'), got " + n,
            null);
      }
      return dev.cimc.ir.quant.calibrate.CalibrationData.slices(input, t, n);
    }
  }

  /** DSL front-end throughput: parse + check + lower a generated 10,000-layer program. */
  @Command(name = "dsl", mixinStandardHelpOptions = true,
      description = "Parse, check and lower a generated program of N layers; reports lines/s (target: >= 100,000).")
  static final class Dsl implements Callable<Integer> {
    @ParentCommand
    BenchCommand bench;

    @Option(names = "--layers", defaultValue = "10000", description = "Layers (default: ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--warmups", defaultValue = "10", description = "Warm-up runs (default: ${DEFAULT-VALUE}).")
    int warmups;

    @Option(names = "--iterations", defaultValue = "21", description = "Measured runs (default: ${DEFAULT-VALUE}).")
    int iterations;

    @Override
    public Integer call() {
      if (layers < 1 || warmups < 0 || iterations < 1) {
        throw new UsageException("need --layers >= 1, --warmups >= 0 and --iterations >= 1", null);
      }
      bench.root.out.println(dev.cimc.frontend.dsl.DslBenchmark.run(layers, warmups, iterations));
      return ExitCode.OK;
    }
  }

  /** Streaming activation calibration of ResNet-18 in the interpreter. */
  @Command(name = "calib", mixinStandardHelpOptions = true,
      description = {"Calibrates ResNet-18 (batch 1, random weights) on random samples with the streaming calibrator;",
          "reports samples/s (issue #7 benchmark: 256 samples)."})
  static final class Calib implements Callable<Integer> {
    @ParentCommand
    BenchCommand bench;

    @Option(names = "--samples", defaultValue = "256", description = "Samples (default: ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--size", defaultValue = "224", description = "Image size, 224 or 32 (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--threads", defaultValue = "2", description = "Threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--method", defaultValue = "minmax",
        description = "Observer: minmax, ema, percentile, mse or kl (default: ${DEFAULT-VALUE}).")
    String method;

    @Override
    public Integer call() {
      if ((size != 224 && size != 32) || samples < 1 || threads < 1) {
        throw new UsageException("need --size 224 or 32, --samples >= 1 and --threads >= 1", null);
      }
      var s = new dev.cimc.ir.quant.calibrate.CalibrationBenchmark.Settings(size, samples, threads,
          dev.cimc.ir.quant.observe.RangeMethod.fromText(method), 42);
      bench.root.out.print(dev.cimc.ir.quant.calibrate.CalibrationBenchmark.run(s).format());
      return ExitCode.OK;
    }
  }

  /** The -O1 pipeline against the import it follows, pass by pass. */
  @Command(name = "o1", mixinStandardHelpOptions = true,
      description = {"Import an ONNX model and run -O1 on it, warmed up; reports median import and pipeline time,",
          "their ratio (target: pipeline < 10% of import) and each pass's time. MODEL may be a folder (every",
          ".onnx in it). Without MODEL: the largest model of ../shared/data/models next to the repository."})
  static final class O1 implements Callable<Integer> {
    @ParentCommand
    BenchCommand bench;

    @picocli.CommandLine.Parameters(arity = "0..*", paramLabel = "MODEL", description = "An .onnx file or a folder.")
    java.util.List<java.nio.file.Path> models = new java.util.ArrayList<>();

    @Option(names = "--warmups", defaultValue = "20", description = "Warm-up runs, at least (default: ${DEFAULT-VALUE}).")
    int warmups;

    @Option(names = "--warmup-time", defaultValue = "3", paramLabel = "SECONDS",
        description = "Keep warming up per model until this much time passed (default: ${DEFAULT-VALUE}).")
    double warmupSeconds;

    @Option(names = "--iterations", defaultValue = "31", description = "Measured runs (default: ${DEFAULT-VALUE}).")
    int iterations;

    @Override
    public Integer call() throws java.io.IOException {
      if (warmups < 0 || warmupSeconds < 0 || iterations < 1) {
        throw new UsageException("need --warmups >= 0, --warmup-time >= 0 and --iterations >= 1", null);
      }
      var files = new java.util.ArrayList<java.nio.file.Path>();
      if (models.isEmpty()) {
        files.add(largestSharedModel());
      }
      for (java.nio.file.Path m : models) {
        if (java.nio.file.Files.isDirectory(m)) {
          files.addAll(onnxFiles(m));
        } else if (java.nio.file.Files.isRegularFile(m)) {
          files.add(m);
        } else {
          throw new dev.cimc.ir.diag.CimcException(dev.cimc.ir.diag.Location.file(m.toString()), "no such file",
              null);
        }
      }
      for (java.nio.file.Path f : files) {
        bench.root.out.print(dev.cimc.frontend.onnx.PipelineBenchmark.o1(f, warmups, warmupSeconds, iterations).format());
        bench.root.out.flush();
      }
      return ExitCode.OK;
    }

    /** The .onnx files of a folder, by name. */
    private static java.util.List<java.nio.file.Path> onnxFiles(java.nio.file.Path dir) throws java.io.IOException {
      try (var s = java.nio.file.Files.list(dir)) {
        return s.filter(p -> p.getFileName().toString().endsWith(".onnx")).sorted().toList();
      }
    }

    /** The largest .onnx file (in bytes) of ../shared/data/models beside the repository holding the working folder. */
    private static java.nio.file.Path largestSharedModel() throws java.io.IOException {
      java.nio.file.Path cwd = java.nio.file.Path.of("").toAbsolutePath().normalize();
      java.nio.file.Path root = cwd;
      for (java.nio.file.Path p = cwd; p != null; p = p.getParent()) {
        if (java.nio.file.Files.isRegularFile(p.resolve("pom.xml"))) {
          root = p;
        }
      }
      java.nio.file.Path dir = root.resolve("../shared/data/models").normalize();
      var files = java.nio.file.Files.isDirectory(dir) ? onnxFiles(dir) : java.util.List.<java.nio.file.Path>of();
      if (files.isEmpty()) {
        throw new dev.cimc.ir.diag.CimcException(dev.cimc.ir.diag.Location.file(dir.toString()),
            "no .onnx models to benchmark", "give a MODEL, or run from inside the repository with ../shared/data "
            + "next to it");
      }
      java.nio.file.Path best = files.get(0);
      for (java.nio.file.Path f : files) {
        if (java.nio.file.Files.size(f) > java.nio.file.Files.size(best)) {
          best = f;
        }
      }
      return best;
    }
  }
}
