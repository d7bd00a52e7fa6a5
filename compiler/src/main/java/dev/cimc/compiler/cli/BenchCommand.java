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
        BenchCommand.Cle.class, BenchCommand.Dsl.class, BenchCommand.O1.class})
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

  /** Cross-layer equalization: per-layer channel-range ratios and the 8-bit weight SQNR before and after. */
  @Command(name = "cle", mixinStandardHelpOptions = true,
      description = {"Cross-layer equalization report: per layer the ratio of the largest to the smallest per-channel",
          "weight range before and after, and the output SQNR with per-tensor quantized weights before and after.",
          "Without MODEL: a MobileNetV2-shaped graph with random weights and calibrated batch norms."})
  static final class Cle implements Callable<Integer> {
    @ParentCommand
    BenchCommand bench;

    @picocli.CommandLine.Parameters(index = "0", arity = "0..1", paramLabel = "MODEL", description = "An .onnx or .cir model.")
    java.nio.file.Path model;

    @Option(names = "--bits", defaultValue = "8", description = "Weight bits (default: ${DEFAULT-VALUE}).")
    int bits;

    @picocli.CommandLine.Mixin
    ModelOptions modelOptions;

    @Override
    public Integer call() {
      if (bits < 2 || bits > 8) {
        throw new UsageException("--bits takes 2 to 8, got " + bits, null);
      }
      var d = dev.cimc.ir.transform.CleReport.Settings.defaults();
      var settings = new dev.cimc.ir.transform.CleReport.Settings(bits, d.inputs(), d.seed());
      if (model == null) {
        dev.cimc.ir.transform.CleReport.main(new String[] {"--bits", Integer.toString(bits)});
        return ExitCode.OK;
      }
      var g = dev.cimc.compiler.model.ModelLoader.load(model, dev.cimc.ir.dialect.Dialects.standard(),
          modelOptions.toOptions(bench.root.err));
      bench.root.out.print(dev.cimc.ir.transform.CleReport.run(g, settings).format(
          "cross-layer equalization on " + model + " (Gaussian inputs)"));
      return ExitCode.OK;
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
