package dev.cimc.frontend.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ImportOptionsTest {
  @Test
  void parsesCommandLineInputShapes() {
    var s = ImportOptions.parseInputShape("x=1x3x224x224");
    assertEquals("x", s.name());
    assertArrayEquals(new int[] {1, 3, 224, 224}, s.dims());
    assertEquals("x=1x3x224x224", s.toString());
    assertArrayEquals(new int[] {2, 5}, ImportOptions.parseInputShape("input:0=2,5").dims());
    assertEquals("a=b", ImportOptions.parseInputShape("a=b=7").name());
    assertArrayEquals(new int[0], ImportOptions.parseInputShape("scalar=").dims());
    assertEquals(ImportOptions.parseInputShape("x=1x2"), new ImportOptions.InputShape("x", new int[] {1, 2}));
  }

  @Test
  void rejectsMalformedShapes() {
    var noName = assertThrows(CimcException.class, () -> ImportOptions.parseInputShape("1x3"));
    assertEquals("invalid input shape '1x3': expected name=dims", noName.getMessage());
    assertEquals("write the shape as name=1x3x224x224", noName.hint());
    var bad = assertThrows(CimcException.class, () -> ImportOptions.parseInputShape("x=1x-3"));
    assertEquals("invalid input shape 'x=1x-3': '-3' is not a dimension (a non-negative integer)", bad.getMessage());
    assertThrows(CimcException.class, () -> ImportOptions.parseInputShape("x=1xx3"));
    assertThrows(CimcException.class, () -> ImportOptions.defaults().withInputShape("x", 1, -1));
  }

  @Test
  void withersCopy() {
    var base = ImportOptions.defaults();
    var bound = base.withInputShape("x", 1, 2).withConstantInput("s", Tensor.scalar(1f));
    assertTrue(base.inputShapes().isEmpty());
    assertTrue(base.constantInputs().isEmpty());
    assertArrayEquals(new int[] {1, 2}, bound.inputShapes().get("x"));
    bound.inputShapes().get("x")[0] = 9;
    assertArrayEquals(new int[] {1, 2}, bound.inputShapes().get("x"));
    assertEquals(1, bound.constantInputs().size());
  }
}
