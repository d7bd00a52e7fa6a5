package dev.cimc.frontend.onnx;

import com.google.protobuf.ByteString;
import dev.cimc.frontend.onnx.proto.Onnx;
import dev.cimc.ir.diag.Location;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.QuantParams;
import dev.cimc.ir.type.Shape;
import dev.cimc.ir.type.TensorType;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The state of one export: the ONNX graph being built, the tensor and node names taken so far, and the
 * quantization-parameter initializers already written. Value names of the cimc graph are kept as they
 * are; every name the exporter invents (shape inputs, scales, decomposition temporaries) is made unique
 * against them.
 */
final class ExportContext {
  /** Thrown by a form when a node has no ONNX opset 17 equivalent; the exporter collects these. */
  static final class NoOnnxForm extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NoOnnxForm(String reason) {
      super(reason, null, false, false);
    }
  }

  private final Onnx.GraphProto.Builder graph;
  private final Set<String> tensorNames = new HashSet<>();
  private final Set<String> nodeNames = new HashSet<>();
  private final Map<Value, String[]> quantParamNames = new HashMap<>();
  private int nodeCounter;

  ExportContext(Graph g, Onnx.GraphProto.Builder graph) {
    this.graph = graph;
    for (Value v : g.inputs()) {
      tensorNames.add(v.name());
    }
    for (Node n = g.first(); n != null; n = n.next()) {
      for (Value r : n.results()) {
        tensorNames.add(r.name());
      }
    }
  }

  /** Stops the export of the current node: it has no ONNX form, for {@code reason}. */
  static NoOnnxForm unsupported(String reason) {
    return new NoOnnxForm(reason);
  }

  /** A tensor name not taken yet, {@code hint} itself when free. */
  String freshName(String hint) {
    String base = hint == null || hint.isEmpty() ? "t" : hint;
    String n = base;
    for (int k = 1; !tensorNames.add(n); k++) {
      n = base + "_" + k;
    }
    return n;
  }

  /** Adds an initializer named after {@code hint} (uniqued) and returns its name. */
  String initializer(String hint, Tensor t) {
    String name = freshName(hint);
    graph.addInitializer(ExportTensors.tensorProto(name, t));
    return name;
  }

  /** Adds an initializer with exactly the name {@code name} (a value of the cimc graph). */
  void initializerNamed(String name, Tensor t) {
    graph.addInitializer(ExportTensors.tensorProto(name, t));
  }

  /** A 1-D int64 initializer. */
  String int64s(String hint, long[] values) {
    return initializer(hint, Tensor.ofLongs(new int[] {values.length}, values.clone()));
  }

  /** A rank-0 initializer of element type {@code et} holding {@code v}. */
  String scalar(String hint, ElementType et, double v) {
    TensorType t = new TensorType(et, Shape.SCALAR, null);
    return initializer(hint, et.isFloat() ? Tensor.fromDoubles(t, new double[] {v})
        : Tensor.fromLongs(t, new long[] {(long) v}));
  }

  /**
   * The scale and zero-point initializers of a quantized value, written once per value: rank 0 per
   * tensor, 1-D per axis; scales as f32 (the only scale type of opset 17), zero points in the container type.
   */
  String[] quantParams(Value v) {
    return quantParamNames.computeIfAbsent(v, k -> {
      TensorType t = k.type();
      QuantParams qp = t.quant();
      int n = qp.channels();
      Shape shape = qp.isPerTensor() ? Shape.SCALAR : Shape.of(n);
      float[] scales = new float[n];
      long[] zps = new long[n];
      for (int c = 0; c < n; c++) {
        scales[c] = (float) qp.scale(c);
        zps[c] = qp.zeroPoint(c);
      }
      ElementType zpType = t.elementType() == ElementType.I32 ? ElementType.I32
          : t.elementType().isSigned() ? ElementType.I8 : ElementType.U8;
      String s = initializer(k.name() + "_scale", Tensor.wrap(new TensorType(ElementType.F32, shape, null), scales));
      String z = initializer(k.name() + "_zero_point", Tensor.fromLongs(new TensorType(zpType, shape, null), zps));
      return new String[] {s, z};
    });
  }

  /** Starts an ONNX node standing for (part of) {@code origin}; names it after the origin's location or op. */
  NodeWriter node(String opType, Node origin) {
    String hint = origin.location() instanceof Location.Named named ? named.name() : opType + "_" + nodeCounter;
    nodeCounter++;
    String name = hint;
    for (int k = 1; !nodeNames.add(name); k++) {
      name = hint + "_" + k;
    }
    return new NodeWriter(Onnx.NodeProto.newBuilder().setOpType(opType).setName(name));
  }

  /** Adds a node with a given name (used for the graph-level nodes the exporter adds itself). */
  NodeWriter node(String opType, String nameHint) {
    String name = nameHint;
    for (int k = 1; !nodeNames.add(name); k++) {
      name = nameHint + "_" + k;
    }
    return new NodeWriter(Onnx.NodeProto.newBuilder().setOpType(opType).setName(name));
  }

  /** Fluent writer of one {@code NodeProto}; {@link #done()} appends it to the graph. */
  final class NodeWriter {
    private final Onnx.NodeProto.Builder b;

    private NodeWriter(Onnx.NodeProto.Builder b) {
      this.b = b;
    }

    NodeWriter in(Value v) {
      b.addInput(v.name());
      return this;
    }

    NodeWriter in(List<Value> vs) {
      for (Value v : vs) {
        b.addInput(v.name());
      }
      return this;
    }

    /** An input by tensor name; the empty name marks an omitted optional input. */
    NodeWriter in(String name) {
      b.addInput(name);
      return this;
    }

    NodeWriter out(Value v) {
      b.addOutput(v.name());
      return this;
    }

    NodeWriter out(String name) {
      b.addOutput(name);
      return this;
    }

    NodeWriter attr(String name, long v) {
      b.addAttribute(Onnx.AttributeProto.newBuilder().setName(name)
          .setType(Onnx.AttributeProto.AttributeType.INT).setI(v));
      return this;
    }

    NodeWriter attr(String name, double v) {
      b.addAttribute(Onnx.AttributeProto.newBuilder().setName(name)
          .setType(Onnx.AttributeProto.AttributeType.FLOAT).setF((float) v));
      return this;
    }

    NodeWriter attr(String name, String v) {
      b.addAttribute(Onnx.AttributeProto.newBuilder().setName(name)
          .setType(Onnx.AttributeProto.AttributeType.STRING).setS(ByteString.copyFrom(v, StandardCharsets.UTF_8)));
      return this;
    }

    NodeWriter attr(String name, long[] vs) {
      var a = Onnx.AttributeProto.newBuilder().setName(name).setType(Onnx.AttributeProto.AttributeType.INTS);
      for (long v : vs) {
        a.addInts(v);
      }
      b.addAttribute(a);
      return this;
    }

    NodeWriter attr(String name, Tensor t) {
      b.addAttribute(Onnx.AttributeProto.newBuilder().setName(name)
          .setType(Onnx.AttributeProto.AttributeType.TENSOR).setT(ExportTensors.tensorProto("", t)));
      return this;
    }

    void done() {
      graph.addNode(b);
    }
  }
}
