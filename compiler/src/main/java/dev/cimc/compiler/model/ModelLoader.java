package dev.cimc.compiler.model;

import dev.cimc.frontend.dsl.DslFrontend;
import dev.cimc.frontend.dsl.DslModel;
import dev.cimc.frontend.dsl.LayerHints;
import dev.cimc.frontend.onnx.ImportOptions;
import dev.cimc.frontend.onnx.OnnxImporter;
import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.diag.Location;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.op.OpRegistry;
import dev.cimc.ir.verify.Verifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/** Loads a model by file extension: {@code .onnx}, {@code .cim} (the cimc DSL) or {@code .cir} text IR. */
public final class ModelLoader {
  private ModelLoader() {}

  /**
   * How to load a model.
   *
   * @param inputShapes bindings for dynamic input dimensions ({@code --input-shape name=1x3x224x224})
   * @param dslModel which model of a {@code .cim} file declaring several, or null
   * @param warnings where warnings go (e.g. a dynamic dimension defaulted to 1)
   */
  public record Options(List<ImportOptions.InputShape> inputShapes, String dslModel, Consumer<String> warnings) {
    public Options {
      inputShapes = List.copyOf(inputShapes);
    }

    public static Options defaults() {
      return new Options(List.of(), null, w -> { });
    }
  }

  public static Graph load(Path file, OpRegistry registry) {
    return load(file, registry, Options.defaults());
  }

  public static Graph load(Path file, OpRegistry registry, Options options) {
    return loadModel(file, registry, options).graph();
  }

  /**
   * The model with what the file says beside the graph: a {@code .cim} program's layer hints (by node;
   * {@link LoadedModel#quantRules()} turns the {@code @quant} ones into mixed-precision rules).
   */
  public static LoadedModel loadModel(Path file, OpRegistry registry, Options options) {
    String name = file.getFileName() == null ? file.toString() : file.getFileName().toString();
    String ext = name.contains(".") ? name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT) : "";
    if (!Files.exists(file)) {
      throw new CimcException(Location.file(file.toString()), "no such file", null);
    }
    return switch (ext) {
      case "cir" -> LoadedModel.of(IrFiles.read(file, registry));
      case "onnx" -> {
        ImportOptions io = ImportOptions.defaults().withRegistry(registry).withWarnings(options.warnings());
        for (ImportOptions.InputShape s : options.inputShapes()) {
          io = io.withInputShape(s.name(), s.dims());
        }
        yield LoadedModel.of(OnnxImporter.importModel(file, io));
      }
      case "cim" -> {
        DslModel m = DslFrontend.load(file, options.dslModel());
        for (var w : m.warnings()) {
          options.warnings().accept(w.render());
        }
        Verifier.check(m.graph());
        var byNode = new LinkedHashMap<Node, LayerHints>();
        for (var e : m.hints().entrySet()) {
          Value v = m.graph().value(e.getKey());
          if (v != null && v.producer() != null) {
            byNode.put(v.producer(), e.getValue());
          }
        }
        yield new LoadedModel(m.graph(), byNode);
      }
      default -> throw new CimcException(Location.file(file.toString()),
          "unknown input kind '" + (ext.isEmpty() ? name : "." + ext) + "'",
          "cimc reads .onnx models, .cim DSL models and .cir text IR files");
    };
  }
}
