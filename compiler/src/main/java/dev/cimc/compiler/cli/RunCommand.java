package dev.cimc.compiler.cli;

import dev.cimc.compiler.model.InputBinding;
import dev.cimc.compiler.model.ModelLoader;
import dev.cimc.frontend.onnx.ImportOptions;
import dev.cimc.frontend.onnx.OnnxImporter;
import dev.cimc.frontend.onnx.TensorProtoFiles;
import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.dialect.Dialects;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.interp.Interpreter;
import dev.cimc.ir.npy.NpyFormat;
import dev.cimc.ir.npy.TensorFiles;
import dev.cimc.ir.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;

/** {@code cimc run MODEL --inputs in.npz -o out.npz}: runs a model in the reference interpreter. */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Run a model in the reference interpreter.",
        "Inputs: .npz entries bind to graph inputs by name; .npy and .pb files bind, in order, to the inputs not yet bound."})
final class RunCommand implements Callable<Integer> {
  @ParentCommand
  CimcCli root;

  @Parameters(index = "0", paramLabel = "MODEL", description = "The model (.onnx or .cir).")
  Path model;

  @Option(names = "--inputs", arity = "1..*", paramLabel = "FILE", required = true,
      description = "Input tensors (.npz by name; .npy and ONNX .pb in order).")
  List<Path> inputs;

  @Option(names = {"-o", "--output"}, paramLabel = "OUT",
      description = "Write the outputs, by name, to this .npz (or .npy for a single output); default: a summary on stdout.")
  Path output;

  @Option(names = "--dump-values", paramLabel = "DIR",
      description = "Write every intermediate value to DIR as NNNN-<name>.npy, in execution order.")
  Path dumpValues;

  @Option(names = "--threads", paramLabel = "N", description = "Kernel threads (default: all processors).")
  Integer threads;

  @picocli.CommandLine.Mixin
  ModelOptions modelOptions;

  @Override
  public Integer call() throws IOException {
    ModelLoader.Options loadOptions = modelOptions.toOptions(root.err);
    if (model.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".onnx")) {
      loadOptions = bindDynamicDims(loadOptions);
    }
    Graph g = ModelLoader.load(model, Dialects.standard(), loadOptions);
    Map<String, Tensor> bound = InputBinding.bind(g, inputs);
    Interpreter.Result result;
    try (var interp = threads == null ? Interpreter.create() : Interpreter.withThreads(threads)) {
      result = interp.run(g, bound, dumpValues != null);
    }
    if (dumpValues != null) {
      writeValues(dumpValues, result.intermediates());
    }
    if (output != null) {
      String name = output.getFileName().toString();
      boolean single = name.endsWith(".npy") || InputBinding.isTensorProto(output);
      if (single && result.outputs().size() != 1) {
        throw new CimcException("the graph has " + result.outputs().size() + " outputs; a "
            + name.substring(name.lastIndexOf('.')) + " file holds one", "write them to a .npz archive");
      }
      if (InputBinding.isTensorProto(output)) {
        var only = result.outputs().entrySet().iterator().next();
        TensorProtoFiles.write(output, only.getKey(), only.getValue());
      } else {
        TensorFiles.write(output, result.outputs());
      }
    } else {
      for (var e : result.outputs().entrySet()) {
        root.out.println(e.getKey() + ": " + describe(e.getValue()));
      }
    }
    return ExitCode.OK;
  }

  /** Dynamic dimensions of ONNX inputs not bound by --input-shape take the shapes of the given tensors. */
  private ModelLoader.Options bindDynamicDims(ModelLoader.Options options) {
    List<ImportOptions.InputShape> declared = OnnxImporter.declaredInputs(model);
    var names = new java.util.ArrayList<String>();
    var list = new StringBuilder();
    for (ImportOptions.InputShape d : declared) {
      names.add(d.name());
      list.append(list.length() == 0 ? "" : ", ").append(d.name());
    }
    Map<String, Tensor> tensors = InputBinding.bind(names, model.toString(), list.toString(), inputs);
    var shapes = new java.util.ArrayList<>(options.inputShapes());
    for (ImportOptions.InputShape d : declared) {
      boolean dynamic = java.util.Arrays.stream(d.dims()).anyMatch(x -> x == dev.cimc.ir.type.Shape.DYNAMIC);
      boolean given = shapes.stream().anyMatch(s -> s.name().equals(d.name()));
      Tensor t = tensors.get(d.name());
      if (dynamic && !given && t != null) {
        shapes.add(new ImportOptions.InputShape(d.name(), t.shape().dims()));
      }
    }
    return new ModelLoader.Options(shapes, options.dslModel(), options.warnings());
  }

  private static void writeValues(Path dir, Map<String, Tensor> values) throws IOException {
    Files.createDirectories(dir);
    int i = 0;
    for (var e : values.entrySet()) {
      NpyFormat.write(dir.resolve(String.format(java.util.Locale.ROOT, "%04d-%s.npy", i++, fileSafe(e.getKey()))),
          e.getValue());
    }
  }

  /** A value name as a file-name part: characters outside [A-Za-z0-9._-] become '_'. */
  static String fileSafe(String name) {
    var sb = new StringBuilder(name.length());
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_'
          || c == '-';
      sb.append(ok ? c : '_');
    }
    return sb.toString();
  }

  /** The type and the first few elements. */
  static String describe(Tensor t) {
    var sb = new StringBuilder(t.type().toString()).append(" [");
    int n = Math.min(t.size(), 8);
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "" : ", ");
      if (t.elementType().isFloat()) {
        sb.append(t.getFloat(i));
      } else {
        sb.append(t.getLong(i));
      }
    }
    return sb.append(t.size() > n ? ", ...]" : "]").toString();
  }
}
