package dev.cimc.frontend.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.frontend.SharedData;
import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.TensorType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TensorProtoFilesTest {
  @TempDir
  Path dir;

  @Test
  void writeThenReadKeepsTypeValuesAndName() {
    Tensor t = Tensor.fromDoubles(TensorType.of(ElementType.I4, 3), new double[] {-8, 0, 7});
    Path f = dir.resolve("a.pb");
    TensorProtoFiles.write(f, "weights", t);
    var back = TensorProtoFiles.readNamed(f);
    assertEquals("weights", back.name());
    assertTrue(t.contentEquals(back.tensor()));
    TensorProtoFiles.write(f, Tensor.ofFloats(new int[] {2, 1}, 1, 2));
    var unnamed = TensorProtoFiles.readNamed(f);
    assertNull(unnamed.name());
    assertArrayEquals(new float[] {1, 2}, unnamed.tensor().floats());
  }

  @Test
  void writingLeavesNoTemporaryFile() throws IOException {
    TensorProtoFiles.write(dir.resolve("t.pb"), Tensor.scalar(1f));
    try (Stream<Path> s = Files.list(dir)) {
      assertEquals(1, s.count());
    }
  }

  @Test
  void badFilesGiveClearErrors() throws IOException {
    var missing = assertThrows(CimcException.class, () -> TensorProtoFiles.read(dir.resolve("none.pb")));
    assertEquals("cannot read tensor file: no such file or folder", missing.getMessage());
    Path garbage = Files.write(dir.resolve("g.pb"), new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF});
    var bad = assertThrows(CimcException.class, () -> TensorProtoFiles.read(garbage));
    assertTrue(bad.getMessage().startsWith("not a valid ONNX tensor (TensorProto) file: "), bad.getMessage());
    Path empty = Files.write(dir.resolve("e.pb"), new byte[0]);
    assertEquals("the tensor has an invalid data type 0",
        assertThrows(CimcException.class, () -> TensorProtoFiles.read(empty)).getMessage());
  }

  @Test
  void readsTheOnnxTestSuiteFiles() {
    Path data = SharedData.dir("onnx-node").resolve("test_add/test_data_set_0");
    Tensor x = TensorProtoFiles.read(data.resolve("input_0.pb"));
    assertEquals(TensorType.f32(3, 4, 5), x.type());
    var named = TensorProtoFiles.readNamed(data.resolve("output_0.pb"));
    assertEquals("sum", named.name());
    Tensor y = TensorProtoFiles.read(data.resolve("input_1.pb"));
    for (int i = 0; i < x.size(); i++) {
      assertEquals((float) (x.getDouble(i) + y.getDouble(i)), named.tensor().getFloat(i));
    }
  }
}
