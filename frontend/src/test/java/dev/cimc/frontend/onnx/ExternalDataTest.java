package dev.cimc.frontend.onnx;

import static dev.cimc.frontend.onnx.OnnxModels.floats;
import static dev.cimc.frontend.onnx.OnnxModels.graph;
import static dev.cimc.frontend.onnx.OnnxModels.model;
import static dev.cimc.frontend.onnx.OnnxModels.node;
import static dev.cimc.frontend.onnx.OnnxModels.tensor;
import static dev.cimc.frontend.onnx.OnnxModels.value;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cimc.frontend.onnx.proto.Onnx;
import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.interp.Interpreter;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.TensorType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** External tensor data is read from the model's folder only. */
class ExternalDataTest {
  @TempDir
  Path dir;

  /** A model y = x + w with w (two floats) stored externally under {@code location}. */
  private static Onnx.ModelProto model(String location, long offset, Long length) {
    var w = tensor("w", 1, new int[] {2}).setDataLocation(Onnx.TensorProto.DataLocation.EXTERNAL)
        .addExternalData(entry("location", location)).addExternalData(entry("offset", Long.toString(offset)));
    if (length != null) {
      w.addExternalData(entry("length", Long.toString(length)));
    }
    return OnnxModels.model(13, graph().addInput(value("x", 1, 2)).addInitializer(w)
        .addNode(node("Add", List.of("x", "w"), List.of("y"))).addOutput(value("y", 1, 2)));
  }

  private static Onnx.StringStringEntryProto entry(String k, String v) {
    return Onnx.StringStringEntryProto.newBuilder().setKey(k).setValue(v).build();
  }

  private static byte[] floatBytes(float... v) {
    ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(v);
    return b.array();
  }

  private Path write(Onnx.ModelProto m) throws IOException {
    Path f = dir.resolve("model.onnx");
    Files.write(f, m.toByteArray());
    return f;
  }

  private static float[] run(Graph g) {
    try (var it = Interpreter.withThreads(1)) {
      Tensor x = Tensor.ofFloats(new int[] {2}, 1, 2);
      return floats(it.run(g, Map.of("x", x)).values().iterator().next());
    }
  }

  @Test
  void readsAtOffsetInsideTheFolder() throws IOException {
    Files.createDirectories(dir.resolve("weights"));
    byte[] data = new byte[8 + 8];
    System.arraycopy(floatBytes(10, 20), 0, data, 8, 8);
    Files.write(dir.resolve("weights/w.bin"), data);
    Graph g = OnnxImporter.importModel(write(model("weights/w.bin", 8, 8L)), ImportOptions.defaults());
    assertArrayEquals(new float[] {11, 22}, run(g));
  }

  @Test
  void absoluteLocationIsRejected() throws IOException {
    Path outside = Files.write(dir.resolve("abs.bin"), floatBytes(1, 2));
    var e = assertThrows(CimcException.class,
        () -> OnnxImporter.importModel(write(model(outside.toString(), 0, null)), ImportOptions.defaults()));
    assertEquals("external data location '" + outside + "' of initializer 'w' is an absolute path", e.getMessage());
    assertEquals("external data must be a file inside the model's folder, named by a relative path", e.hint());
  }

  @Test
  void dotDotLeavingTheFolderIsRejected() throws IOException {
    Path sub = Files.createDirectories(dir.resolve("m"));
    Files.write(dir.resolve("secret.bin"), floatBytes(1, 2));
    Path f = sub.resolve("model.onnx");
    Files.write(f, model("../secret.bin", 0, null).toByteArray());
    var e = assertThrows(CimcException.class, () -> OnnxImporter.importModel(f, ImportOptions.defaults()));
    assertEquals("external data location '../secret.bin' of initializer 'w' leaves the model's folder", e.getMessage());
    // .. that stays inside is fine
    Files.createDirectories(sub.resolve("a"));
    Files.write(sub.resolve("w.bin"), floatBytes(1, 2));
    Files.write(f, model("a/../w.bin", 0, null).toByteArray());
    assertArrayEquals(new float[] {2, 4}, run(OnnxImporter.importModel(f, ImportOptions.defaults())));
  }

  @Test
  void symlinkResolvingOutsideIsRejected() throws IOException {
    Path other = Files.createDirectories(dir.resolve("other"));
    Path target = Files.write(other.resolve("w.bin"), floatBytes(1, 2));
    Path sub = Files.createDirectories(dir.resolve("m"));
    Files.createSymbolicLink(sub.resolve("link.bin"), target);
    Path f = sub.resolve("model.onnx");
    Files.write(f, model("link.bin", 0, null).toByteArray());
    var e = assertThrows(CimcException.class, () -> OnnxImporter.importModel(f, ImportOptions.defaults()));
    assertEquals("external data location 'link.bin' of initializer 'w' resolves (through a symbolic link) to "
        + target.toRealPath() + ", outside the model's folder", e.getMessage());
  }

  @Test
  void missingAndTruncatedFiles() throws IOException {
    Path f = write(model("nope.bin", 0, null));
    var missing = assertThrows(CimcException.class, () -> OnnxImporter.importModel(f, ImportOptions.defaults()));
    assertEquals("external data file 'nope.bin' of initializer 'w' not found in " + dir.toAbsolutePath(),
        missing.getMessage());
    Files.write(dir.resolve("short.bin"), floatBytes(1));
    Path g = write(model("short.bin", 0, null));
    var truncated = assertThrows(CimcException.class, () -> OnnxImporter.importModel(g, ImportOptions.defaults()));
    assertEquals("initializer 'w' needs bytes 0..8 of 'short.bin', which has only 4 bytes", truncated.getMessage());
  }

  @Test
  void lengthMustMatchTheTensor() throws IOException {
    Files.write(dir.resolve("w.bin"), floatBytes(1, 2, 3));
    var e = assertThrows(CimcException.class,
        () -> OnnxImporter.importModel(write(model("w.bin", 0, 12L)), ImportOptions.defaults()));
    assertEquals("initializer 'w' declares 12 bytes of external data, but its type and shape need 8", e.getMessage());
  }

  @Test
  void modelsFromMemoryCannotHaveExternalData() {
    var e = assertThrows(CimcException.class, () -> OnnxModels.importModel(model("w.bin", 0, null)));
    assertEquals("initializer 'w' is stored in the external file 'w.bin', but the model was not read from a file",
        e.getMessage());
  }

  @Test
  void tensorFilesReadTheirOwnExternalData() throws IOException {
    Files.write(dir.resolve("t.bin"), floatBytes(5, 6));
    var tp = tensor("t", 1, new int[] {2}).setDataLocation(Onnx.TensorProto.DataLocation.EXTERNAL)
        .addExternalData(entry("location", "t.bin")).build();
    Path pb = Files.write(dir.resolve("t.pb"), tp.toByteArray());
    var named = TensorProtoFiles.readNamed(pb);
    assertEquals("t", named.name());
    assertEquals(TensorType.f32(2), named.tensor().type());
    assertArrayEquals(new float[] {5, 6}, named.tensor().floats());
  }
}
