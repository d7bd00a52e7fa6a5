package dev.cimc.ir.npy;

import static dev.cimc.ir.npy.NpyTesting.assertError;
import static dev.cimc.ir.npy.NpyTesting.fixture;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.TensorType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TensorFilesTest {
  @TempDir Path dir;

  @Test
  void readsByExtension() {
    Map<String, Tensor> one = TensorFiles.read(fixture("f32.npy"));
    assertEquals(List.of("f32"), List.copyOf(one.keySet()));
    assertEquals(TensorType.f32(2, 3), one.get("f32").type());
    assertEquals(List.of("x", "idx", "flag"), List.copyOf(TensorFiles.read(fixture("savez.npz")).keySet()));
  }

  @Test
  void formatOfIsCaseInsensitive() {
    assertEquals(Optional.of(TensorFiles.Format.NPZ), TensorFiles.Format.of(Path.of("a/IN.NPZ")));
    assertEquals(Optional.of(TensorFiles.Format.NPY), TensorFiles.Format.of(Path.of("x.y.npy")));
    assertEquals(Optional.empty(), TensorFiles.Format.of(Path.of(".npy")));
    assertEquals(Optional.empty(), TensorFiles.Format.of(Path.of("in.pb")));
  }

  @Test
  void writesByExtension() {
    var m = new LinkedHashMap<String, Tensor>();
    m.put("b", Tensor.scalar(2f));
    m.put("a", Tensor.ofLongs(new int[] {2}, 1, 2));
    Path npz = dir.resolve("out.npz");
    TensorFiles.write(npz, m);
    assertEquals(List.of("b", "a"), List.copyOf(TensorFiles.read(npz).keySet()));
    Path npy = dir.resolve("y.npy");
    TensorFiles.write(npy, Map.of("whatever", Tensor.scalar(3f)));
    assertEquals(3f, TensorFiles.read(npy).get("y").floats()[0]);
  }

  @Test
  void npyHoldsExactlyOneTensor() {
    var m = new LinkedHashMap<String, Tensor>();
    m.put("b", Tensor.scalar(2f));
    m.put("a", Tensor.scalar(1f));
    Path npy = dir.resolve("two.npy");
    var e = assertError(npy.toString(), "a .npy file holds exactly one tensor, got 2 (b, a)", () -> TensorFiles.write(npy, m));
    assertEquals("write several tensors to an .npz file", e.hint());
    assertError(npy.toString(), "a .npy file holds exactly one tensor, got 0", () -> TensorFiles.write(npy, Map.of()));
    assertFalse(Files.exists(npy));
  }

  @Test
  void unknownExtension() {
    Path txt = dir.resolve("in.txt");
    var e = assertError(txt.toString(), "unsupported tensor file extension '.txt'", () -> TensorFiles.read(txt));
    assertEquals("cimc reads and writes tensor files named .npy, .npz", e.hint());
    Path bare = dir.resolve("inputs");
    assertError(bare.toString(), "tensor file has no extension", () -> TensorFiles.write(bare, Map.of()));
  }
}
