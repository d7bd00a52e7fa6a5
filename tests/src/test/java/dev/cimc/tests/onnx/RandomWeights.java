package dev.cimc.tests.onnx;

import com.google.protobuf.ByteString;
import dev.cimc.frontend.onnx.proto.Onnx;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Gives the light model-zoo models seeded random weights. Their float initializers were replaced by
 * ConstantOfShape fills (every weight 0.02), which makes every channel alike and every class score equal,
 * so a wrong weight layout would go unnoticed. Each fill of at most {@code limit} elements becomes an
 * initializer: He-uniform ({@code ±√(6 / fan_in)}, fan_in = product of the dimensions after the first) for
 * rank ≥ 2, uniform in [0.5, 1.5) for vectors (biases, batch-norm scale, mean and variance, so variances stay
 * positive). Larger fills (the 100M-element classifier matrices of AlexNet, VGG and ZFNet) stay fills, of
 * {@code 1 / fan_in} instead of 0.02: their layer then averages its inputs, which keeps the logits of order
 * one (with 0.02 they grow to ~10⁷, where softmax turns f32 rounding of the logits into visible differences).
 */
public final class RandomWeights {
  private RandomWeights() {}

  public static Onnx.ModelProto fill(Onnx.ModelProto model, long seed, long limit) {
    Onnx.GraphProto g = model.getGraph();
    Map<String, long[]> shapes = new HashMap<>();
    for (Onnx.TensorProto t : g.getInitializerList()) {
      if (t.getDataType() == Onnx.TensorProto.DataType.INT64_VALUE && t.getDimsCount() == 1) {
        shapes.put(t.getName(), int64s(t));
      }
    }
    var r = new SplittableRandom(seed);
    var out = g.toBuilder().clearNode();
    for (Onnx.NodeProto n : g.getNodeList()) {
      long[] dims = n.getOpType().equals("ConstantOfShape") ? shapes.get(n.getInput(0)) : null;
      if (dims == null || !isFloatFill(n)) {
        out.addNode(n);
        continue;
      }
      if (numel(dims) > limit) {
        float mean = (float) (1.0 / (numel(dims) / dims[0]));
        out.addNode(n.toBuilder().clearAttribute().addAttribute(Onnx.AttributeProto.newBuilder().setName("value")
            .setType(Onnx.AttributeProto.AttributeType.TENSOR).setT(Onnx.TensorProto.newBuilder().addDims(1)
                .setDataType(Onnx.TensorProto.DataType.FLOAT_VALUE).addFloatData(mean))));
        continue;
      }
      out.addInitializer(random(n.getOutput(0), dims, r));
    }
    // Drop the shape initializers no node reads any more.
    var read = new java.util.HashSet<String>();
    for (Onnx.NodeProto n : out.getNodeList()) {
      read.addAll(n.getInputList());
    }
    var kept = new java.util.ArrayList<Onnx.TensorProto>();
    for (Onnx.TensorProto t : out.getInitializerList()) {
      if (!shapes.containsKey(t.getName()) || read.contains(t.getName())) {
        kept.add(t);
      }
    }
    out.clearInitializer().addAllInitializer(kept);
    return model.toBuilder().setGraph(out).build();
  }

  private static boolean isFloatFill(Onnx.NodeProto n) {
    for (Onnx.AttributeProto a : n.getAttributeList()) {
      if (a.getName().equals("value")) {
        return a.getT().getDataType() == Onnx.TensorProto.DataType.FLOAT_VALUE;
      }
    }
    return true;
  }

  private static long numel(long[] dims) {
    long n = 1;
    for (long d : dims) {
      n *= d;
    }
    return n;
  }

  private static Onnx.TensorProto random(String name, long[] dims, SplittableRandom r) {
    int n = Math.toIntExact(numel(dims));
    ByteBuffer buf = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
    if (dims.length >= 2) {
      double a = Math.sqrt(6.0 / (numel(dims) / dims[0]));
      for (int i = 0; i < n; i++) {
        buf.putFloat((float) ((r.nextDouble() * 2 - 1) * a));
      }
    } else {
      for (int i = 0; i < n; i++) {
        buf.putFloat((float) (0.5 + r.nextDouble()));
      }
    }
    var t = Onnx.TensorProto.newBuilder().setName(name).setDataType(Onnx.TensorProto.DataType.FLOAT_VALUE);
    for (long d : dims) {
      t.addDims(d);
    }
    return t.setRawData(ByteString.copyFrom(buf.array())).build();
  }

  private static long[] int64s(Onnx.TensorProto t) {
    long[] v = new long[Math.toIntExact(t.getDims(0))];
    if (t.hasRawData()) {
      t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(v);
    } else {
      for (int i = 0; i < v.length; i++) {
        v[i] = t.getInt64Data(i);
      }
    }
    return v;
  }
}
