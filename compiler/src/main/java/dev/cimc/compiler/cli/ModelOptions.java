package dev.cimc.compiler.cli;

import dev.cimc.compiler.model.ModelLoader;
import dev.cimc.frontend.onnx.ImportOptions;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Flags for loading a model, shared by the commands that take one. */
public final class ModelOptions {
  @Option(names = "--input-shape", paramLabel = "NAME=DIMS",
      description = "Bind the dynamic dimensions of an ONNX input, e.g. input=1x3x224x224 (repeatable); "
          + "unbound dynamic dimensions default to 1 with a warning.")
  List<String> inputShapes = new ArrayList<>();

  @Option(names = "--model", paramLabel = "NAME",
      description = "Which model of a .cim file that declares several.")
  String dslModel;

  ModelLoader.Options toOptions(PrintStream err) {
    var shapes = new ArrayList<ImportOptions.InputShape>();
    for (String s : inputShapes) {
      shapes.add(ImportOptions.parseInputShape(s));
    }
    // DSL warnings arrive rendered ("file:line:col: warning: ..."); importer warnings as bare messages.
    return new ModelLoader.Options(shapes, dslModel, w -> err.println(w.contains("warning: ") ? w : "warning: " + w));
  }
}
