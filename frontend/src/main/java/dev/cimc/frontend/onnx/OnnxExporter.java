package dev.cimc.frontend.onnx;

import dev.cimc.frontend.onnx.proto.Onnx;
import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.diag.Location;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.io.AtomicFile;
import dev.cimc.ir.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Writes a graph-dialect graph, or a quantized graph in QDQ form, as an ONNX model: IR version 8,
 * default-domain opset 17.
 *
 * <p>Every node becomes the opset 17 form of its op (see {@link ExportForms}); constants become
 * initializers with their bytes in {@code raw_data}; value names are kept. A quantized graph is written
 * the way ONNX Runtime and other tools read quantized models: {@code q.quantize} as QuantizeLinear,
 * {@code q.dequantize} as DequantizeLinear, with the scale and zero point of the quantized value as
 * initializers (rank 0 per tensor, 1-D with an {@code axis} attribute per channel), and quantized
 * constants (weights) as int8/uint8 initializers. Sub-byte types (i4, u4, i2, u2) are held in 8-bit
 * containers and clamped to their range after QuantizeLinear.
 *
 * <p>Ops without an opset 17 form make the export fail with one {@link CimcException} listing each such
 * node and the reason. The same graph always gives the same bytes.
 */
public final class OnnxExporter {
  /** The ONNX IR version written. */
  public static final int IR_VERSION = 8;
  /** The default-domain opset written. */
  public static final int OPSET = 17;
  /** The {@code producer_name} of written models. */
  public static final String PRODUCER = "cimc";

  private OnnxExporter() {}

  /** Writes {@code graph} to {@code file} as an ONNX model, atomically (all or nothing). */
  public static void export(Graph graph, Path file) {
    byte[] bytes = toBytes(graph);
    AtomicFile.write(file, out -> out.write(bytes));
  }

  /** The serialized ONNX model of {@code graph}. */
  public static byte[] toBytes(Graph graph) {
    return toModelProto(graph).toByteArray();
  }

  /** The ONNX model of {@code graph}; throws {@link CimcException} listing the nodes that have no ONNX form. */
  public static Onnx.ModelProto toModelProto(Graph graph) {
    var g = Onnx.GraphProto.newBuilder().setName(graph.name());
    var cx = new ExportContext(graph, g);
    for (Value in : graph.inputs()) {
      g.addInput(valueInfo(in.name(), in));
    }
    var problems = new ArrayList<String>();
    Location first = null;
    Set<Value> outputs = new HashSet<>(graph.outputs());
    for (Node n = graph.first(); n != null; n = n.next()) {
      if (n.op().fullName().equals("const")) {
        writeConstant(n, cx, outputs.contains(n.result()));
        continue;
      }
      ExportForms.Form form = ExportForms.of(n.op().fullName());
      String problem = null;
      if (form == null) {
        problem = "no ONNX form";
      } else {
        try {
          form.write(n, cx);
        } catch (ExportContext.NoOnnxForm e) {
          problem = e.getMessage();
        }
      }
      if (problem != null) {
        problems.add("  " + n.describe() + ": " + problem + locationSuffix(n.location()));
        if (first == null) {
          first = n.location();
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new CimcException(first, "cannot export @" + graph.name() + " to ONNX opset " + OPSET + ": "
          + problems.size() + (problems.size() == 1 ? " node has" : " nodes have") + " no ONNX form",
          "lower or rewrite these ops to ones ONNX has, or export the graph before the pass that made them",
          String.join("\n", problems), null);
    }
    writeOutputs(graph, cx, g);
    return Onnx.ModelProto.newBuilder()
        .setIrVersion(IR_VERSION)
        .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
        .setProducerName(PRODUCER)
        .setGraph(g)
        .build();
  }

  private static String locationSuffix(Location loc) {
    return loc instanceof Location.Unknown ? "" : " (" + loc + ")";
  }

  /** A constant is an initializer, or a Constant node when the graph returns it (outputs must be produced). */
  private static void writeConstant(Node n, ExportContext cx, boolean isOutput) {
    Tensor t = ((Attribute.TensorAttr) n.attr("value")).value();
    if (isOutput) {
      cx.node("Constant", n).out(n.result()).attr("value", t).done();
    } else {
      cx.initializerNamed(n.result().name(), t);
    }
  }

  /** Graph outputs by name; a value returned twice gets an Identity per repeat, since output names are unique. */
  private static void writeOutputs(Graph graph, ExportContext cx, Onnx.GraphProto.Builder g) {
    Set<Value> seen = new HashSet<>();
    List<Value> outs = graph.outputs();
    for (Value v : outs) {
      String name = v.name();
      if (!seen.add(v)) {
        name = cx.freshName(v.name());
        cx.node("Identity", "output_" + name).in(v).out(name).done();
      }
      g.addOutput(valueInfo(name, v));
    }
  }

  private static Onnx.ValueInfoProto valueInfo(String name, Value v) {
    return Onnx.ValueInfoProto.newBuilder().setName(name).setType(ExportTensors.typeProto(v.type())).build();
  }
}
