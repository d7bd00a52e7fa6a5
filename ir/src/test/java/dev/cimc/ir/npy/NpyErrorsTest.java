package dev.cimc.ir.npy;

import static dev.cimc.ir.npy.NpyTesting.assertError;
import static dev.cimc.ir.npy.NpyTesting.fixture;
import static dev.cimc.ir.npy.NpyTesting.npy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every error a user can meet reading a .npy file, with its exact message. */
class NpyErrorsTest {
  @TempDir Path dir;

  /** Writes {@code bytes} to a file and asserts reading it fails with {@code message}. */
  private dev.cimc.ir.diag.CimcException assertFileError(byte[] bytes, String message) {
    Path file = NpyTesting.write(dir, "bad.npy", bytes);
    return assertError(file.toString(), message, () -> NpyFormat.read(file));
  }

  private static String dict(String descr, String fortran, String shape) {
    return "{'descr': " + descr + ", 'fortran_order': " + fortran + ", 'shape': " + shape + ", }";
  }

  @Test
  void emptyFile() {
    assertFileError(new byte[0], "empty file, expected a NumPy .npy array");
    assertError("<stdin>", "empty file, expected a NumPy .npy array",
        () -> NpyFormat.read(new ByteArrayInputStream(new byte[0]), "<stdin>"));
  }

  @Test
  void garbageBytes() {
    var e = assertFileError("hello, world\n".getBytes(StandardCharsets.US_ASCII), "not a .npy file: bad magic bytes");
    assertEquals("a .npy file starts with \\x93NUMPY; write it with numpy.save", e.hint());
    e = assertFileError(new byte[] {'P', 'K', 3, 4, 20, 0, 0, 0, 0, 0, 0, 0}, "not a .npy file: bad magic bytes");
    assertEquals("this looks like a zip archive; an .npz file must be named *.npz", e.hint());
  }

  @Test
  void truncatedBeforeTheHeader() {
    assertFileError(new byte[] {(byte) 0x93, 'N', 'U', 'M'}, "truncated header: the input ends after 4 bytes");
    assertFileError(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0, 100, 0},
        "truncated header: the input ends after 10 bytes");
  }

  @Test
  void truncatedHeader() {
    byte[] whole = npy("<f4", "(2, 3)", new byte[24]);
    assertFileError(java.util.Arrays.copyOf(whole, 30), "truncated header: expected 60 bytes, got 20");
    assertError("s", "truncated header: expected 60 bytes, got 20",
        () -> NpyFormat.read(new ByteArrayInputStream(java.util.Arrays.copyOf(whole, 30)), "s"));
  }

  @ParameterizedTest(name = "{0}.{1}")
  @CsvSource({"4, 0", "1, 1", "0, 0"})
  void unsupportedVersion(int major, int minor) {
    byte[] b = npy("<f4", "()", new byte[4]);
    b[6] = (byte) major;
    b[7] = (byte) minor;
    var e = assertFileError(b, "unsupported .npy format version " + major + "." + minor);
    assertEquals("cimc reads versions 1.0, 2.0 and 3.0", e.hint());
  }

  @Test
  void hugeHeaderLengthFailsBeforeAllocating() {
    byte[] b = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0, -1, -1, -1, 0x7f, '{', '}'};
    assertFileError(b, "header of 2147483647 bytes exceeds the limit of 1048576 bytes");
  }

  @Test
  void headerSyntaxErrorShowsWhere() {
    var e = assertFileError(npy(1, "{'descr': '<f4' 'fortran_order': False, 'shape': ()}\n", new byte[4]),
        "malformed header: expected ',' or '}'");
    assertEquals("  {'descr': '<f4' 'fortran_order': False, 'shape': ()}\n                  ^", e.detail());
  }

  @ParameterizedTest(name = "{1}")
  @CsvSource(delimiter = '|', value = {
    "[1, 2]| expected '{' at the start of the header",
    "{'descr': '<f4', 'fortran_order': False, 'shape': ()} x| unexpected text after the closing '}'",
    "{'descr': '<f4, 'fortran_order': False, 'shape': ()}| expected ',' or '}'",
    "{'descr': '<f4', 'fortran_order': False, 'shape': ()| expected ',' or '}'",
    "{'descr': '<f4', 'fortran_order': Flase, 'shape': ()}| unknown name 'Flase'",
    "{'descr': '<f4', 'fortran_order': False, 'shape': (2.5,)}| expected an integer",
    "{'descr': '<f4', 'fortran_order': False, 'shape': (2 3)}| expected ',' or ')'",
    "{'descr' '<f4', 'fortran_order': False, 'shape': ()}| expected ':' after key 'descr'",
    "{descr: '<f4', 'fortran_order': False, 'shape': ()}| expected a string key or '}'",
    "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': ()}| duplicate key 'descr'",
    "{'descr': '<f4', 'fortran_order': False}| missing key 'shape'",
    "{'fortran_order': False, 'shape': ()}| missing key 'descr'",
    "{'descr': '<f4', 'fortran_order': False, 'shape': (), 'foo': 1}| unexpected key 'foo'",
    "{'descr': '<f4', 'fortran_order': False, 'shape': [2, 3]}| 'shape' must be a tuple of integers, got [2, 3]",
    "{'descr': '<f4', 'fortran_order': False, 'shape': (3)}| 'shape' must be a tuple of integers, got 3",
    "{'descr': '<f4', 'fortran_order': False, 'shape': ('3',)}| 'shape' must be a tuple of integers, got ('3',)",
    "{'descr': '<f4', 'fortran_order': 0, 'shape': ()}| 'fortran_order' must be True or False, got 0",
    "{'descr': 5, 'fortran_order': False, 'shape': ()}| 'descr' must be a dtype string, got 5",
    "{'descr': None, 'fortran_order': False, 'shape': ()}| 'descr' must be a dtype string, got None",
  })
  void malformedHeader(String header, String problem) {
    assertFileError(npy(1, header + "\n", new byte[4]), "malformed header: " + problem);
  }

  @Test
  void deeplyNestedHeaderFailsFast() {
    String deep = "{'descr': " + "(".repeat(100_000) + "}";
    assertFileError(npy(2, deep, new byte[0]), "malformed header: values nested more than 32 deep");
    // Redundant parentheses are Python's: (((2,))) is (2,).
    String nested = "{'descr': '<f4', 'fortran_order': False, 'shape': " + "(".repeat(30) + "2," + ")".repeat(30) + "}";
    Path file = NpyTesting.write(dir, "nested.npy", npy(1, nested, new byte[8]));
    assertEquals(dev.cimc.ir.type.TensorType.f32(2), NpyFormat.read(file).type());
  }

  @Test
  void malformedUtf8InVersion3() {
    byte[] b = npy(3, dict("'<f4'", "False", "()") + "\n", new byte[4]);
    b[14] = (byte) 0xC3; // a lead byte followed by an ASCII letter
    assertFileError(b, "malformed header: not valid UTF-8");
  }

  @Test
  void fortranOrder() {
    Path file = fixture("fortran.npy");
    var e = assertError(file.toString(), "fortran_order: True is not supported; cimc reads C-order arrays only",
        () -> NpyFormat.read(file));
    assertEquals(file + ": error: fortran_order: True is not supported; cimc reads C-order arrays only\n"
        + "hint: save with np.save(path, np.ascontiguousarray(a))", e.render());
  }

  @Test
  void pickledObjectArray() {
    Path file = fixture("object.npy");
    var e = assertError(file.toString(), "pickled object arrays are not supported (dtype '|O')", () -> NpyFormat.read(file));
    assertEquals("cimc reads numeric arrays only; convert with a.astype(np.float32) before np.save", e.hint());
    assertFileError(npy("<O8", "()", new byte[8]), "pickled object arrays are not supported (dtype '<O8')");
  }

  @Test
  void unsupportedDtypes() {
    Path u16 = fixture("u16.npy");
    var e = assertError(u16.toString(), "unsupported dtype '<u2' (uint16): cimc has no uint16 element type",
        () -> NpyFormat.read(u16));
    assertEquals("convert with a.astype(np.int32) before np.save", e.hint());
    assertFileError(npy("<u4", "()", new byte[4]), "unsupported dtype '<u4' (uint32): cimc has no uint32 element type");
    assertFileError(npy(">u8", "()", new byte[8]), "unsupported dtype '>u8' (uint64): cimc has no uint64 element type");
    Path c64 = fixture("c64.npy");
    e = assertError(c64.toString(), "unsupported dtype '<c8'", () -> NpyFormat.read(c64));
    assertEquals(NpyDtype.SUPPORTED, e.hint());
    assertFileError(npy("<U5", "()", new byte[20]), "unsupported dtype '<U5'");
    assertFileError(npy("<f16", "()", new byte[16]), "unsupported dtype '<f16'");
    assertFileError(npy("", "()", new byte[4]), "unsupported dtype ''");
    assertFileError(npy(1, dict("[('a', '<f4')]", "False", "()"), new byte[4]),
        "unsupported dtype: structured arrays are not supported (descr [('a', '<f4')])");
  }

  @Test
  void negativeDimension() {
    var e = assertFileError(npy("<f4", "(2, -3)", new byte[0]), "invalid shape (2, -3): negative dimension -3");
    assertNull(e.hint());
  }

  @Test
  void absurdShapesFailWithoutAllocating() {
    // 100-byte files whose headers claim far more than the file holds.
    byte[] b = npy("<f4", "(1000000000000,)", new byte[30]);
    assertFileError(b, "shape (1000000000000,) is too large: dimension 1000000000000 exceeds 2147483647");
    assertFileError(npy("<f4", "(100000, 100000)", new byte[4]),
        "shape (100000, 100000) is too large: 10000000000 elements, a cimc tensor holds at most 2147483639");
    assertFileError(npy("<f4", "(0, 99999999999999999999999999)", new byte[0]),
        "shape (0, 99999999999999999999999999) is too large: dimension 99999999999999999999999999 exceeds 2147483647");
    // Within cimc's limits but 16 GB: the size check comes first on files, and streams grow as data arrives.
    byte[] big = npy("<f8", "(2000000000,)", new byte[10]);
    assertFileError(big, "truncated data: shape (2000000000,) of '<f8' needs 16000000000 bytes, got 10");
    assertError("pipe", "truncated data: shape (2000000000,) of '<f8' needs 16000000000 bytes, got 10",
        () -> NpyFormat.read(new ByteArrayInputStream(big), "pipe"));
    byte[] bigBytes = npy("|u1", "(2000000000,)", new byte[10]);
    assertError("pipe", "truncated data: shape (2000000000,) of '|u1' needs 2000000000 bytes, got 10",
        () -> NpyFormat.read(new ByteArrayInputStream(bigBytes), "pipe"));
  }

  @Test
  void truncatedData() throws Exception {
    byte[] whole = Files.readAllBytes(fixture("f32.npy"));
    byte[] cut = java.util.Arrays.copyOf(whole, whole.length - 14);
    assertFileError(cut, "truncated data: shape (2, 3) of '<f4' needs 24 bytes, got 10");
    assertError("s", "truncated data: shape (2, 3) of '<f4' needs 24 bytes, got 10",
        () -> NpyFormat.read(new ByteArrayInputStream(cut), "s"));
  }

  @Test
  void trailingBytesInAFile() throws Exception {
    byte[] whole = Files.readAllBytes(fixture("f32.npy"));
    byte[] longer = java.util.Arrays.copyOf(whole, whole.length + 5);
    var e = assertFileError(longer, "unexpected 5 bytes after the array data");
    assertEquals("the header's shape (2, 3) and dtype '<f4' account for 24 bytes", e.hint());
  }

  @Test
  void missingFileAndFolder() {
    Path missing = dir.resolve("missing.npy");
    assertError(missing.toString(), "cannot read: no such file", () -> NpyFormat.read(missing));
    assertError(dir.toString(), "cannot read: is a folder, not a file", () -> NpyFormat.read(dir));
  }
}
