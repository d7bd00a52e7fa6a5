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

  ModelLoader.Options toOptions(PrintStream err) {
    var shapes = new ArrayList<ImportOptions.InputShape>();
    for (String s : inputShapes) {
      shapes.add(ImportOptions.parseInputShape(s));
    }
    return new ModelLoader.Options(shapes, w -> err.println("warning: " + w));
  }
}
