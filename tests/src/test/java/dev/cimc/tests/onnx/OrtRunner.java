package dev.cimc.tests.onnx;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.Shape;
import dev.cimc.ir.type.TensorType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Runs an ONNX model in ONNX Runtime on cimc tensors (the reference side of the differential tests). */
public final class OrtRunner {
  private OrtRunner() {}

  /**
   * Runs {@code model} with basic graph optimizations (constant folding, no fusions that change the
   * arithmetic) on two threads; returns the outputs by name, in the model's order. Quantized input
   * tensors are passed as their integers.
   */
  public static Map<String, Tensor> run(byte[] model, Map<String, Tensor> inputs) {
    return runAll(model, List.of(inputs)).get(0);
  }

  /** Runs {@code model} on each input set in turn with one session (as {@link #run}). */
  public static List<Map<String, Tensor>> runAll(byte[] model, List<Map<String, Tensor>> inputSets) {
    return runAll(model, inputSets, OrtSession.SessionOptions.OptLevel.BASIC_OPT);
  }

  /**
   * Runs {@code model} on each input set with one session at the given optimization level ({@code ALL_OPT}
   * lets ORT fuse QDQ groups into its integer QLinear kernels).
   */
  public static List<Map<String, Tensor>> runAll(byte[] model, List<Map<String, Tensor>> inputSets,
      OrtSession.SessionOptions.OptLevel level) {
    // Errors only: ORT warns about every unused initializer of the light models.
    OrtEnvironment env = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
    var opts = new OrtSession.SessionOptions();
    var results = new ArrayList<Map<String, Tensor>>();
    try (opts) {
      opts.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
      opts.setOptimizationLevel(level);
      opts.setIntraOpNumThreads(2);
      try (OrtSession session = env.createSession(model, opts)) {
        List<String> names = new ArrayList<>(session.getOutputNames());
        for (Map<String, Tensor> inputs : inputSets) {
          var feeds = new LinkedHashMap<String, OnnxTensor>();
          try {
            for (var e : inputs.entrySet()) {
              feeds.put(e.getKey(), toOrt(env, e.getValue()));
            }
            try (OrtSession.Result result = session.run(feeds)) {
              var out = new LinkedHashMap<String, Tensor>();
              for (int i = 0; i < names.size(); i++) {
                out.put(names.get(i), fromOrt(result.get(i)));
              }
              results.add(out);
            }
          } finally {
            for (OnnxTensor t : feeds.values()) {
              t.close();
            }
          }
        }
        return results;
      }
    } catch (OrtException e) {
      throw new AssertionError("ONNX Runtime failed: " + e.getMessage(), e);
    }
  }

  private static OnnxTensor toOrt(OrtEnvironment env, Tensor t) throws OrtException {
    long[] shape = new long[t.shape().rank()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = t.shape().dim(i);
    }
    ElementType et = t.elementType();
    ByteBuffer buf = ByteBuffer.allocateDirect(t.size() * et.storageBytes()).order(ByteOrder.nativeOrder());
    switch (et.storage()) {
      case F32 -> buf.asFloatBuffer().put(t.floats());
      case F64 -> buf.asDoubleBuffer().put(t.doubles());
      case F16, I16 -> buf.asShortBuffer().put(t.shorts());
      case I64 -> buf.asLongBuffer().put(t.longs());
      case I32 -> buf.asIntBuffer().put(t.ints());
      case I8 -> buf.put(t.bytes()).rewind();
    }
    return OnnxTensor.createTensor(env, buf, shape, javaType(et));
  }

  private static OnnxJavaType javaType(ElementType et) {
    return switch (et) {
      case F32 -> OnnxJavaType.FLOAT;
      case F64 -> OnnxJavaType.DOUBLE;
      case F16 -> OnnxJavaType.FLOAT16;
      case I64 -> OnnxJavaType.INT64;
      case I32 -> OnnxJavaType.INT32;
      case I16 -> OnnxJavaType.INT16;
      case I8, I4, I2 -> OnnxJavaType.INT8;
      case U8, U4, U2 -> OnnxJavaType.UINT8;
      case BOOL -> OnnxJavaType.BOOL;
    };
  }

  private static Tensor fromOrt(OnnxValue v) {
    if (!(v instanceof OnnxTensor t)) {
      throw new AssertionError("output is not a tensor: " + v.getType());
    }
    TensorInfo info = t.getInfo();
    long[] dims = info.getShape();
    int[] d = new int[dims.length];
    for (int i = 0; i < d.length; i++) {
      d[i] = Math.toIntExact(dims[i]);
    }
    int n = Math.toIntExact(info.getNumElements());
    ElementType et = switch (info.type) {
      case FLOAT -> ElementType.F32;
      case DOUBLE -> ElementType.F64;
      case FLOAT16 -> ElementType.F16;
      case INT64 -> ElementType.I64;
      case INT32 -> ElementType.I32;
      case INT16 -> ElementType.I16;
      case INT8 -> ElementType.I8;
      case UINT8 -> ElementType.U8;
      case BOOL -> ElementType.BOOL;
      default -> throw new AssertionError("unsupported output type " + info.type);
    };
    var type = new TensorType(et, Shape.of(d), null);
    Object data;
    switch (et.storage()) {
      case F32 -> {
        float[] a = new float[n];
        t.getFloatBuffer().get(a);
        data = a;
      }
      case F64 -> {
        double[] a = new double[n];
        t.getDoubleBuffer().get(a);
        data = a;
      }
      case F16, I16 -> {
        short[] a = new short[n];
        t.getShortBuffer().get(a);
        data = a;
      }
      case I64 -> {
        long[] a = new long[n];
        t.getLongBuffer().get(a);
        data = a;
      }
      case I32 -> {
        int[] a = new int[n];
        t.getIntBuffer().get(a);
        data = a;
      }
      default -> {
        byte[] a = new byte[n];
        t.getByteBuffer().get(a);
        data = a;
      }
    }
    return Tensor.wrap(type, data);
  }
}
