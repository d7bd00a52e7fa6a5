package dev.cimc.compiler.cli;

import dev.cimc.compiler.Version;
import dev.cimc.compiler.model.IrFiles;
import dev.cimc.compiler.model.LoadedModel;
import dev.cimc.compiler.model.ModelLoader;
import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.dialect.Dialects;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.pass.PassManager;
import dev.cimc.ir.pass.PassPipeline;
import dev.cimc.ir.pass.PassRegistry;
import dev.cimc.ir.pass.Pipelines;
import dev.cimc.ir.text.IrPrinter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code cimc INPUT [-O0..-O3] [--passes=PIPELINE] [--emit=KIND] [-o OUT]}: loads a model, runs the pass
 * pipeline and emits the result. Subcommands: {@code opt}, {@code run}, {@code passes}, {@code bench}.
 */
@Command(
    name = "cimc",
    mixinStandardHelpOptions = true,
    versionProvider = CimcCli.VersionProvider.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {"The compiler for compute-in-memory accelerators.",
        "Compiles INPUT (.onnx or .cir text IR) through the pass pipeline of the chosen level and emits the result."},
    subcommands = {OptCommand.class, RunCommand.class, ExportCommand.class, FmtCommand.class, PassesCommand.class,
        BenchCommand.class, QatCommand.class,
        CommandLine.HelpCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:success", "1:bad input (model, IR or tensor file)", "2:bad command line",
        "3:internal error (a bug in cimc)"})
public final class CimcCli implements Callable<Integer> {
  /** Emission levels; only {@code graph} exists until quantization and the CIM backend land. */
  enum Emit {
    graph, qgraph, tile, asm, bin
  }

  @Parameters(index = "0", arity = "0..1", paramLabel = "INPUT", description = "The model: .onnx or .cir.")
  Path input;

  @Option(names = "-O", paramLabel = "LEVEL", defaultValue = "2",
      description = "Optimization level 0-3 (default: ${DEFAULT-VALUE}); `cimc passes --pipeline=O2` shows a level's passes.")
  String optLevel;

  @Option(names = "--passes", paramLabel = "PIPELINE",
      description = "Run this pass pipeline instead of the -O level's, e.g. 'canonicalize,fold-constants,dce'.")
  String passes;

  @Option(names = "--emit", paramLabel = "KIND",
      description = "What to emit: ${COMPLETION-CANDIDATES} (default: qgraph when calibration data or another "
          + "quantization flag is given, else graph).")
  Emit emit;

  @Option(names = {"-o", "--output"}, paramLabel = "OUT",
      description = "Write the result here (a .cir plus OUT's .weights.npz side file); default: stdout.")
  Path output;

  @Option(names = "--target", paramLabel = "TARGET", defaultValue = "cim-256x256",
      description = "The CIM target: a preset (${DEFAULT-VALUE}, cim-128x128) or a JSON file; it sets the default "
          + "weight and activation bits of --emit=qgraph.")
  String target;

  @Mixin
  ModelOptions model;

  @Mixin
  QuantizationFlow quant;

  @Mixin
  InstrumentationOptions instrumentation;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  /** Where results and diagnostics go; subcommands reach them through their parent. */
  final PrintStream out;
  final PrintStream err;

  CimcCli(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  @Override
  public Integer call() {
    if (input == null) {
      throw new CommandLine.ParameterException(spec.commandLine(), "Missing required parameter: 'INPUT'");
    }
    if (emit == null) {
      emit = quant.anyGiven() ? Emit.qgraph : Emit.graph;
    }
    if (emit != Emit.graph && emit != Emit.qgraph) {
      throw new CimcException("--emit=" + emit + " is not available in this version of cimc",
          "this version compiles to the graph and quantized-graph levels: use --emit=graph or --emit=qgraph");
    }
    var registry = Dialects.standard();
    PassRegistry passRegistry = PassRegistry.standard();
    PassPipeline pipeline = CompileSettings.pipeline(optLevel, passes, passRegistry);
    var options = instrumentation.toOptions(err, instrumentation.dumpIrDir);
    options.checkPassNames(passRegistry);
    if (emit == Emit.graph && quant.anyGiven()) {
      throw new UsageException("quantization flags need --emit=qgraph", "add --emit=qgraph (the float graph is emitted "
          + "before quantization)");
    }
    if (emit == Emit.qgraph) {
      pipeline = quant.configure(pipeline, passRegistry, target, passes == null);
    } else if (passes == null) {
      pipeline = Pipelines.graphLevel(pipeline);
    }
    LoadedModel loaded = ModelLoader.loadModel(input, registry, model.toOptions(err));
    Graph g = loaded.graph();
    var manager = new PassManager(pipeline, options, registry);
    var planned = new QuantizationFlow.Report();
    if (emit == Emit.qgraph) {
      manager = manager.withResources(quant.resources(loaded, err, planned));
    }
    manager.run(g);
    if (emit == Emit.qgraph && quant.wantsReport()) {
      var provenance = new java.util.LinkedHashMap<String, String>();
      provenance.put("cimc", Version.get());
      provenance.put("model", input.getFileName().toString());
      provenance.put("target", target);
      provenance.put("pipeline", pipeline.toString());
      quant.report(planned, g, err, provenance);
    }
    emitGraph(g, output, instrumentation, out);
    return ExitCode.OK;
  }

  /** Writes to {@code out} (with its side file) or prints to stdout. */
  static void emitGraph(Graph g, Path file, InstrumentationOptions inst, PrintStream stdout) {
    if (file != null) {
      IrFiles.write(g, file);
    } else {
      stdout.print(IrPrinter.toText(g, inst.printOptions()));
      stdout.flush();
    }
  }

  /** Prints the version from the build. */
  static final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"cimc " + Version.get(),
          "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"};
    }
  }

  /** The configured command line: exit codes per DESIGN.md section 7, user errors without stack traces. */
  public static CommandLine commandLine(PrintStream out, PrintStream err) {
    var cl = new CommandLine(new CimcCli(out, err));
    cl.setOut(new PrintWriter(new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8), true));
    cl.setErr(new PrintWriter(new java.io.OutputStreamWriter(err, StandardCharsets.UTF_8), true));
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
      PrintWriter e = commandLine.getErr();
      CimcException user = userError(ex);
      if (user != null) {
        e.println(user.render());
        e.flush();
        return user.exitCode();
      }
      e.println("cimc: internal error: " + ex);
      e.println("This is a bug in cimc " + Version.get() + "; please report it with the command and input.");
      var sw = new StringWriter();
      ex.printStackTrace(new PrintWriter(sw));
      e.print(sw);
      e.flush();
      return ExitCode.INTERNAL;
    });
    cl.setParameterExceptionHandler((ex, args) -> {
      PrintWriter e = ex.getCommandLine().getErr();
      e.println("cimc: " + ex.getMessage());
      CommandLine.UnmatchedArgumentException.printSuggestions(ex, e);
      e.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help' for more information.");
      e.flush();
      return ExitCode.USAGE;
    });
    return cl;
  }

  /** The user-facing error in {@code ex} or its causes, or null for a bug. */
  private static CimcException userError(Throwable ex) {
    for (Throwable t = ex; t != null; t = t.getCause()) {
      if (t instanceof CimcException c) {
        return c;
      }
      if (t instanceof IllegalStateException) {
        return null;
      }
    }
    return null;
  }

  /** Runs the command line and returns the exit code (for tests and embedding). */
  public static int run(PrintStream out, PrintStream err, String... args) {
    int code = commandLine(out, err).execute(args);
    out.flush();
    err.flush();
    return code;
  }

  public static void main(String[] args) {
    Locale.setDefault(Locale.ROOT);
    var out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false, StandardCharsets.UTF_8);
    var err = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.err), true, StandardCharsets.UTF_8);
    int code;
    try {
      code = run(out, err, args);
    } catch (OutOfMemoryError e) {
      err.println("error: out of memory (the Java heap is limited to "
          + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB)");
      err.println("hint: give cimc more heap, e.g. CIMC_JAVA_OPTS='-Xmx8g -XX:+UseParallelGC' ./cimc ...");
      code = ExitCode.USER_ERROR;
    }
    System.exit(code);
  }
}
