package dev.cimc.compiler.cli;

import dev.cimc.compiler.model.IrFiles;
import dev.cimc.compiler.model.ModelLoader;
import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.diag.Location;
import dev.cimc.ir.dialect.Dialects;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.npy.TensorFiles;
import dev.cimc.ir.op.OpRegistry;
import dev.cimc.ir.pass.OptLevel;
import dev.cimc.ir.pass.PassManager;
import dev.cimc.ir.pass.PassRegistry;
import dev.cimc.ir.pass.Pipelines;
import dev.cimc.ir.quant.QuantPlan;
import dev.cimc.ir.quant.QuantScheme;
import dev.cimc.ir.quant.calibrate.Calibrator;
import dev.cimc.ir.quant.fakequant.Quantize;
import dev.cimc.ir.quant.integer.LowerToInteger;
import dev.cimc.ir.quant.qat.LabelledData;
import dev.cimc.ir.quant.qat.QatResult;
import dev.cimc.ir.quant.qat.QatTrainer;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.QuantParams;
import dev.cimc.ir.verify.Verifier;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;

/**
 * {@code cimc qat MODEL --data train.npz --weight-bits B --activation-bits B -o q.cir}: quantization-aware
 * training. Loads the model, runs the O1 passes (batch norms folded), calibrates activation ranges on the
 * training inputs (PTQ), fine-tunes weights and LSQ scales, then quantizes and lowers to integer ops.
 */
@Command(name = "qat", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Quantization-aware training: calibrate on labelled data, fine-tune weights and quantizer scales "
        + "(LSQ), and write the integer graph.",
        "The .npz holds the inputs under the graph input's name (or --inputs-key) and integer class labels under "
            + "'labels' (or --labels-key); per-epoch loss and accuracy go to stderr."})
final class QatCommand implements Callable<Integer> {
  @ParentCommand
  CimcCli root;

  @Parameters(index = "0", paramLabel = "MODEL", description = "The float model (.onnx or .cir).")
  Path model;

  @Option(names = "--data", required = true, paramLabel = "FILE",
      description = "Training samples and labels (.npz): N samples stacked along the first axis.")
  Path data;

  @Option(names = "--eval", paramLabel = "FILE", description = "Evaluation samples and labels (.npz), for accuracy.")
  Path eval;

  @Option(names = "--inputs-key", paramLabel = "KEY", description = "Array of samples in --data (default: the graph input's name).")
  String inputsKey;

  @Option(names = "--labels-key", paramLabel = "KEY", defaultValue = "labels",
      description = "Array of labels in --data (default: ${DEFAULT-VALUE}).")
  String labelsKey;

  @Option(names = "--eval-inputs-key", paramLabel = "KEY", description = "Array of samples in --eval (default: as --inputs-key).")
  String evalInputsKey;

  @Option(names = "--eval-labels-key", paramLabel = "KEY", description = "Array of labels in --eval (default: as --labels-key).")
  String evalLabelsKey;

  @Option(names = "--weight-bits", required = true, paramLabel = "B", description = "Weight bits (2-8), signed symmetric per output channel.")
  int weightBits;

  @Option(names = "--activation-bits", required = true, paramLabel = "B", description = "Activation bits (2-8), per tensor.")
  int activationBits;

  @Option(names = "--epochs", paramLabel = "N", defaultValue = "5", description = "Passes over the data (default: ${DEFAULT-VALUE}).")
  int epochs;

  @Option(names = "--lr", paramLabel = "X", defaultValue = "1e-3", description = "Peak learning rate of the weights (default: ${DEFAULT-VALUE}).")
  double lr;

  @Option(names = "--scale-lr", paramLabel = "X", defaultValue = "3e-3",
      description = "Peak learning rate of the log-scales (default: ${DEFAULT-VALUE}).")
  double scaleLr;

  @Option(names = "--batch", paramLabel = "N", defaultValue = "32", description = "Samples per step (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--optimizer", paramLabel = "NAME", defaultValue = "adam",
      description = "adam or sgd (with momentum 0.9) (default: ${DEFAULT-VALUE}).")
  String optimizer;

  @Option(names = "--pow2-scales", description = "Constrain every scale to a power of two.")
  boolean pow2;

  @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "Shuffling seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--threads", paramLabel = "N", defaultValue = "2",
      description = "Worker threads; the result does not depend on it (default: ${DEFAULT-VALUE}).")
  int threads;

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT", description = "Write the integer graph here (.cir plus side file).")
  Path output;

  @Mixin
  ModelOptions modelOptions;

  @Override
  public Integer call() {
    QatTrainer.Settings settings = settings();
    Path folder = output.toAbsolutePath().getParent();
    if (folder != null && !java.nio.file.Files.isDirectory(folder)) {
      throw new UsageException("-o " + output + ": folder '" + folder + "' does not exist",
          "create it first; training runs before the result is written");
    }
    OpRegistry registry = Dialects.standard();
    Graph g = ModelLoader.load(model, registry, modelOptions.toOptions(root.err));
    new PassManager(Pipelines.forLevel(OptLevel.O1, PassRegistry.standard()), PassManager.Options.defaults(), registry)
        .run(g);
    String input = g.inputs().size() == 1 ? g.input(0).name() : null;
    LabelledData train = load(g, data, inputsKey != null ? inputsKey : input, labelsKey, "--inputs-key", "--labels-key");
    LabelledData test = eval == null ? null : load(g, eval,
        evalInputsKey != null ? evalInputsKey : inputsKey != null ? inputsKey : input,
        evalLabelsKey != null ? evalLabelsKey : labelsKey, "--eval-inputs-key", "--eval-labels-key");

    QuantPlan base = new QuantPlan(
        new QuantScheme(QuantScheme.Kind.AFFINE, activationBits, false, false, QuantParams.PER_TENSOR, pow2),
        new QuantScheme(QuantScheme.Kind.AFFINE, weightBits, true, true, 0, pow2), Map.of(), Map.of());
    var bar = new ProgressBar(root.err, "calibrating");
    QuantPlan ptq = Calibrator.calibrate(g, train.calibration(), Calibrator.Settings.defaults().withThreads(threads),
        bar::update).toPlan(base);
    bar.done();
    String tag = "W" + weightBits + "A" + activationBits + (pow2 ? " (power-of-two scales)" : "");
    if (test != null) {
      root.err.printf(Locale.ROOT, "float accuracy %.2f%%, %s PTQ accuracy %.2f%%%n",
          100 * QatTrainer.accuracy(g, test, threads), tag, 100 * QatTrainer.accuracy(lower(g, ptq, registry), test, threads));
    }
    long t0 = System.nanoTime();
    QatResult r = QatTrainer.train(g, ptq, train, test, settings, registry, e -> root.err.printf(Locale.ROOT,
        "epoch %d/%d: loss %.4f%s%n", e.epoch(), epochs, e.loss(),
        Double.isNaN(e.accuracy()) ? "" : String.format(Locale.ROOT, ", fake-quant accuracy %.2f%%", 100 * e.accuracy())));
    root.err.printf(Locale.ROOT, "trained in %.1f s%n", (System.nanoTime() - t0) / 1e9);
    Graph q = lower(r.graph(), r.plan(), registry);
    if (test != null) {
      root.err.printf(Locale.ROOT, "%s QAT accuracy of the integer graph %.2f%%%n", tag,
          100 * QatTrainer.accuracy(q, test, threads));
    }
    IrFiles.write(q, output);
    return ExitCode.OK;
  }

  private QatTrainer.Settings settings() {
    if (weightBits < 2 || weightBits > 8) {
      throw new UsageException("--weight-bits takes 2 to 8 bits, got " + weightBits, null);
    }
    if (activationBits < 2 || activationBits > 8) {
      throw new UsageException("--activation-bits takes 2 to 8 bits, got " + activationBits, null);
    }
    if (epochs < 1 || batch < 1 || threads < 1) {
      throw new UsageException("--epochs, --batch and --threads take N >= 1, got " + epochs + ", " + batch + ", "
          + threads, null);
    }
    if (!(lr > 0) || !(scaleLr >= 0)) {
      throw new UsageException("--lr must be > 0 and --scale-lr >= 0, got " + lr + " and " + scaleLr, null);
    }
    QatTrainer.Optimizer opt = switch (optimizer.toLowerCase(Locale.ROOT)) {
      case "adam" -> QatTrainer.Optimizer.ADAM;
      case "sgd" -> QatTrainer.Optimizer.SGD;
      default -> throw new UsageException("--optimizer takes adam or sgd, got '" + optimizer + "'", null);
    };
    return QatTrainer.Settings.defaults().withEpochs(epochs).withBatch(batch).withLearningRate(lr)
        .withScaleLearningRate(scaleLr).withOptimizer(opt).withSeed(seed).withThreads(threads);
  }

  private static LabelledData load(Graph g, Path file, String samplesKey, String labelsKey, String samplesFlag,
      String labelsFlag) {
    Map<String, Tensor> arrays = TensorFiles.read(file);
    if (samplesKey == null) {
      throw new UsageException("@" + g.name() + " has " + g.inputs().size() + " inputs; training takes one",
          "give a model with a single input");
    }
    Location at = Location.file(file.toString());
    for (String[] k : new String[][] {{samplesKey, samplesFlag}, {labelsKey, labelsFlag}}) {
      if (!arrays.containsKey(k[0])) {
        throw new CimcException(at, "no array '" + k[0] + "' in the file",
            "it holds " + String.join(", ", new java.util.TreeSet<>(arrays.keySet())) + "; name the array with " + k[1]);
      }
    }
    try {
      return LabelledData.of(g, arrays.get(samplesKey), arrays.get(labelsKey), samplesKey, labelsKey);
    } catch (CimcException e) {
      throw new CimcException(at, e.getMessage(), e.hint());
    }
  }

  private static Graph lower(Graph g, QuantPlan plan, OpRegistry registry) {
    Graph q = g.copy();
    Quantize.apply(q, plan, registry);
    LowerToInteger.apply(q, registry);
    Verifier.check(q);
    return q;
  }
}
