package dev.cimc.compiler.model;

import dev.cimc.frontend.onnx.TensorProtoFiles;
import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.diag.Location;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.npy.TensorFiles;
import dev.cimc.ir.tensor.Tensor;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Binds tensor files to a graph's inputs: archive entries (.npz) by name, single-tensor files (.npy, ONNX
 * TensorProto .pb) in order to the inputs that no archive bound.
 */
public final class InputBinding {
  private InputBinding() {}

  public static Map<String, Tensor> bind(Graph g, List<Path> files) {
    var names = new java.util.ArrayList<String>();
    for (Value in : g.inputs()) {
      names.add(in.name());
    }
    return bind(names, "@" + g.name(), inputList(g), files);
  }

  /**
   * Binds files to named inputs before there is a graph (e.g. to learn the shapes that bind an ONNX model's
   * dynamic dimensions). {@code owner} and {@code inputList} are for messages.
   */
  public static Map<String, Tensor> bind(List<String> inputs, String owner, String inputList, List<Path> files) {
    var byName = new LinkedHashMap<String, Tensor>();
    var positional = new java.util.ArrayList<Map.Entry<Path, Tensor>>();
    for (Path f : files) {
      boolean archive = TensorFiles.Format.of(f).map(k -> k == TensorFiles.Format.NPZ).orElse(false);
      Map<String, Tensor> read = isTensorProto(f) ? Map.of(f.getFileName().toString(), TensorProtoFiles.read(f))
          : TensorFiles.read(f);
      for (var e : read.entrySet()) {
        if (archive) {
          if (!inputs.contains(e.getKey())) {
            throw new CimcException(Location.file(f.toString()), "entry '" + e.getKey() + "' is not an input of "
                + owner, "the graph takes: " + inputList);
          }
          if (byName.put(e.getKey(), e.getValue()) != null) {
            throw new CimcException(Location.file(f.toString()), "input '" + e.getKey() + "' is given twice", null);
          }
        } else {
          positional.add(Map.entry(f, e.getValue()));
        }
      }
    }
    int next = 0;
    for (var p : positional) {
      while (next < inputs.size() && byName.containsKey(inputs.get(next))) {
        next++;
      }
      if (next >= inputs.size()) {
        throw new CimcException(Location.file(p.getKey().toString()), "more input files than graph inputs",
            "the graph takes: " + inputList);
      }
      byName.put(inputs.get(next), p.getValue());
      next++;
    }
    return byName;
  }

  /** ONNX TensorProto files ({@code input_0.pb}), as the ONNX test suite stores tensors. */
  public static boolean isTensorProto(Path f) {
    return f.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".pb");
  }

  static String inputList(Graph g) {
    var sb = new StringBuilder();
    for (Value in : g.inputs()) {
      sb.append(sb.length() == 0 ? "" : ", ").append(in.name()).append(": ").append(in.type());
    }
    return sb.length() == 0 ? "(no inputs)" : sb.toString();
  }
}
