package dev.cimc.compiler.cli;

import dev.cimc.compiler.model.ModelLoader;
import dev.cimc.frontend.onnx.OnnxExporter;
import dev.cimc.ir.dialect.Dialects;
import dev.cimc.ir.graph.Graph;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;

/** {@code cimc export MODEL -o model.onnx}: writes a graph (float, or quantized as QDQ) as ONNX. */
@Command(name = "export", mixinStandardHelpOptions = true,
    description = {"Write a model as ONNX (opset 17): graph-dialect ops as ONNX ops, quantized values as",
        "QuantizeLinear/DequantizeLinear pairs (per-axis where per-channel), loadable by ONNX Runtime."})
final class ExportCommand implements Callable<Integer> {
  @ParentCommand
  CimcCli root;

  @Parameters(index = "0", paramLabel = "MODEL", description = "The model (.cir or .onnx).")
  Path model;

  @Option(names = {"-o", "--output"}, paramLabel = "OUT", required = true, description = "The .onnx file to write.")
  Path output;

  @Mixin
  ModelOptions modelOptions;

  @Override
  public Integer call() {
    Graph g = ModelLoader.load(model, Dialects.standard(), modelOptions.toOptions(root.err));
    OnnxExporter.export(g, output);
    return ExitCode.OK;
  }
}
