package dev.cimc.frontend.onnx;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Every ONNX op (default domain) cimc imports, by op type. Immutable. */
final class OnnxOpTable {
  private OnnxOpTable() {}

  private static final Map<String, OnnxOp> OPS = build();

  private static Map<String, OnnxOp> build() {
    var all = new ArrayList<OnnxOp>();
    all.addAll(ElementwiseImports.ops());
    all.addAll(ShapeImports.ops());
    all.addAll(ConstantImports.ops());
    all.addAll(NeuralImports.ops());
    all.addAll(CompositeImports.ops());
    var m = new TreeMap<String, OnnxOp>();
    for (OnnxOp op : all) {
      if (m.put(op.opType(), op) != null) {
        throw new IllegalStateException("ONNX op " + op.opType() + " imported twice");
      }
    }
    return Collections.unmodifiableMap(m);
  }

  /** The import of an op type, or null if cimc does not import it. */
  static OnnxOp lookup(String opType) {
    return OPS.get(opType);
  }

  /** The op types cimc imports, sorted. */
  static List<String> opTypes() {
    return List.copyOf(OPS.keySet());
  }
}
