package dev.cimc.frontend.onnx;

import dev.cimc.frontend.onnx.proto.Onnx;
import dev.cimc.ir.diag.Location;
import dev.cimc.ir.io.AtomicFile;
import dev.cimc.ir.tensor.Tensor;
import java.nio.file.Path;

/**
 * Reads and writes single tensors as serialized ONNX {@code TensorProto}s, the {@code .pb} files of the ONNX
 * test suite ({@code test_data_set_0/input_0.pb}). Every encoding an initializer may use is read (raw
 * little-endian data, the typed fields, packed 4-bit values, external data next to the file); writing
 * uses raw data.
 */
public final class TensorProtoFiles {
  private TensorProtoFiles() {}

  /** A tensor with the name its file gives it (null when the proto has none). */
  public record NamedTensor(String name, Tensor tensor) {}

  /** Reads the tensor of a {@code .pb} file. */
  public static Tensor read(Path file) {
    return readNamed(file).tensor();
  }

  /** Reads the tensor of a {@code .pb} file and its name. */
  public static NamedTensor readNamed(Path file) {
    byte[] bytes = OnnxProtobuf.readFile(file, "tensor file");
    Location loc = Location.file(file.toString());
    Onnx.TensorProto tp = OnnxProtobuf.parseTensor(bytes, loc);
    String name = tp.getName().isEmpty() ? null : tp.getName();
    String what = name == null ? "the tensor" : "tensor '" + name + "'";
    Path folder = file.toAbsolutePath().getParent();
    Tensor t = TensorProtoDecoder.decode(tp, new ExternalData(folder, file.toString()), loc, what);
    return new NamedTensor(name, t);
  }

  /** Decodes a serialized {@code TensorProto} held in memory (no external data). */
  public static Tensor decode(byte[] bytes, String sourceName) {
    Location loc = Location.file(sourceName);
    Onnx.TensorProto tp = OnnxProtobuf.parseTensor(bytes, loc);
    return TensorProtoDecoder.decode(tp, null, loc, tp.getName().isEmpty() ? "the tensor" : "tensor '"
        + tp.getName() + "'");
  }

  /** Writes {@code t} without a name, atomically. */
  public static void write(Path file, Tensor t) {
    write(file, null, t);
  }

  /** Writes {@code t} under {@code name} (null for none), atomically. Quantization parameters are dropped. */
  public static void write(Path file, String name, Tensor t) {
    Onnx.TensorProto tp = TensorProtoEncoder.encode(t, name);
    AtomicFile.write(file, tp::writeTo);
  }

  /** The serialized {@code TensorProto} of {@code t}. */
  public static byte[] encode(Tensor t, String name) {
    return TensorProtoEncoder.encode(t, name).toByteArray();
  }
}
