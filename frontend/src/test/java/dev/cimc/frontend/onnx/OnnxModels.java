package dev.cimc.frontend.onnx;

import com.google.protobuf.ByteString;
import dev.cimc.frontend.onnx.proto.Onnx;
import dev.cimc.frontend.onnx.proto.Onnx.AttributeProto.AttributeType;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.interp.Interpreter;
import dev.cimc.ir.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Builds small ONNX models for tests, and imports and runs them. */
final class OnnxModels {
  private OnnxModels() {}

  static final int FLOAT = 1;
  static final int INT64 = 7;

  /** A model of one graph at a default-domain opset (IR version 8). */
  static Onnx.ModelProto model(int opset, Onnx.GraphProto.Builder graph) {
    return Onnx.ModelProto.newBuilder().setIrVersion(8)
        .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
        .setGraph(graph.setName(graph.getName().isEmpty() ? "g" : graph.getName())).build();
  }

  static Onnx.GraphProto.Builder graph() {
    return Onnx.GraphProto.newBuilder();
  }

  /** A tensor value info; dims are Integers (static) or Strings (symbolic). */
  static Onnx.ValueInfoProto value(String name, int elemType, Object... dims) {
    var shape = Onnx.TensorShapeProto.newBuilder();
    for (Object d : dims) {
      var dim = Onnx.TensorShapeProto.Dimension.newBuilder();
      if (d instanceof Integer i) {
        dim.setDimValue(i);
      } else if (d != null) {
        dim.setDimParam((String) d);
      }
      shape.addDim(dim);
    }
    return Onnx.ValueInfoProto.newBuilder().setName(name).setType(Onnx.TypeProto.newBuilder()
        .setTensorType(Onnx.TypeProto.Tensor.newBuilder().setElemType(elemType).setShape(shape))).build();
  }

  static Onnx.NodeProto node(String op, String name, List<String> in, List<String> out,
      Onnx.AttributeProto... attrs) {
    return Onnx.NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(in).addAllOutput(out)
        .addAllAttribute(Arrays.asList(attrs)).build();
  }

  static Onnx.NodeProto node(String op, List<String> in, List<String> out, Onnx.AttributeProto... attrs) {
    return node(op, "", in, out, attrs);
  }

  static Onnx.AttributeProto attr(String name, long v) {
    return Onnx.AttributeProto.newBuilder().setName(name).setType(AttributeType.INT).setI(v).build();
  }

  static Onnx.AttributeProto attr(String name, double v) {
    return Onnx.AttributeProto.newBuilder().setName(name).setType(AttributeType.FLOAT).setF((float) v).build();
  }

  static Onnx.AttributeProto attr(String name, String v) {
    return Onnx.AttributeProto.newBuilder().setName(name).setType(AttributeType.STRING)
        .setS(ByteString.copyFrom(v, StandardCharsets.UTF_8)).build();
  }

  static Onnx.AttributeProto ints(String name, long... v) {
    var b = Onnx.AttributeProto.newBuilder().setName(name).setType(AttributeType.INTS);
    for (long x : v) {
      b.addInts(x);
    }
    return b.build();
  }

  static Onnx.AttributeProto floats(String name, double... v) {
    var b = Onnx.AttributeProto.newBuilder().setName(name).setType(AttributeType.FLOATS);
    for (double x : v) {
      b.addFloats((float) x);
    }
    return b.build();
  }

  static Onnx.AttributeProto tensorAttr(String name, Onnx.TensorProto t) {
    return Onnx.AttributeProto.newBuilder().setName(name).setType(AttributeType.TENSOR).setT(t).build();
  }

  /** A float tensor with raw little-endian data. */
  static Onnx.TensorProto floatTensor(String name, int[] dims, float... v) {
    ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(v);
    return tensor(name, FLOAT, dims).setRawData(ByteString.copyFrom(b.array())).build();
  }

  /** An int64 tensor in int64_data. */
  static Onnx.TensorProto longTensor(String name, int[] dims, long... v) {
    var b = tensor(name, INT64, dims);
    for (long x : v) {
      b.addInt64Data(x);
    }
    return b.build();
  }

  static Onnx.TensorProto.Builder tensor(String name, int dataType, int[] dims) {
    var b = Onnx.TensorProto.newBuilder().setDataType(dataType);
    if (name != null) {
      b.setName(name);
    }
    for (int d : dims) {
      b.addDims(d);
    }
    return b;
  }

  static Graph importModel(Onnx.ModelProto m) {
    return OnnxImporter.importModel(m.toByteArray(), "test.onnx", ImportOptions.defaults());
  }

  static Graph importModel(Onnx.ModelProto m, ImportOptions opts) {
    return OnnxImporter.importModel(m.toByteArray(), "test.onnx", opts);
  }

  /** Imports and runs a model on named inputs, returning its outputs in order. */
  static List<Tensor> run(Onnx.ModelProto m, Map<String, Tensor> inputs) {
    Graph g = importModel(m);
    try (var it = Interpreter.withThreads(1)) {
      return new ArrayList<>(it.run(g, inputs).values());
    }
  }

  static float[] floats(Tensor t) {
    return t.toFloatArray();
  }
}
