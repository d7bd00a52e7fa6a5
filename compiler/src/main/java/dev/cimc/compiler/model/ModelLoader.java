package dev.cimc.compiler.model;

import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.diag.Location;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.op.OpRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Loads a model by file extension: {@code .cir} text IR (ONNX and the DSL come with their frontends). */
public final class ModelLoader {
  private ModelLoader() {}

  public static Graph load(Path file, OpRegistry registry) {
    String name = file.getFileName() == null ? file.toString() : file.getFileName().toString();
    String ext = name.contains(".") ? name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT) : "";
    if (!Files.exists(file)) {
      throw new CimcException(Location.file(file.toString()), "no such file", null);
    }
    return switch (ext) {
      case "cir" -> IrFiles.read(file, registry);
      case "onnx", "cim" -> throw new CimcException(Location.file(file.toString()),
          "." + ext + " input is not supported by this version of cimc", "convert the model to .cir text IR");
      default -> throw new CimcException(Location.file(file.toString()),
          "unknown input kind '" + (ext.isEmpty() ? name : "." + ext) + "'",
          "cimc reads .cir text IR files");
    };
  }
}
