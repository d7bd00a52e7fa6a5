package dev.cimc.ir.npy;

import static dev.cimc.ir.npy.NpyTesting.assertError;
import static dev.cimc.ir.npy.NpyTesting.fixture;
import static dev.cimc.ir.npy.NpyTesting.npy;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.TensorType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpzFormatTest {
  @TempDir Path dir;

  private static Map<String, Tensor> sampleMap() {
    var m = new LinkedHashMap<String, Tensor>();
    m.put("zeta", Tensor.ofFloats(new int[] {2, 2}, 1f, -2f, 3.5f, Float.NaN));
    m.put("alpha", Tensor.ofLongs(new int[] {3}, 1, -2, Long.MAX_VALUE));
    m.put("scalar", Tensor.scalar(7f));
    m.put("empty", Tensor.zeros(TensorType.of(ElementType.I32, 0, 4)));
    m.put("dir/with space", Tensor.wrap(TensorType.of(ElementType.BOOL, 2), new byte[] {1, 0}));
    return m;
  }

  /** An archive of raw entries: name → (bytes, deflate?). */
  private static byte[] zip(List<String> names, List<byte[]> contents, boolean deflate) throws IOException {
    var out = new ByteArrayOutputStream();
    try (var z = new ZipOutputStream(out)) {
      for (int i = 0; i < names.size(); i++) {
        var e = new ZipEntry(names.get(i));
        byte[] c = contents.get(i);
        if (!deflate) {
          var crc = new CRC32();
          crc.update(c);
          e.setMethod(ZipEntry.STORED);
          e.setSize(c.length);
          e.setCompressedSize(c.length);
          e.setCrc(crc.getValue());
        }
        z.putNextEntry(e);
        z.write(c);
        z.closeEntry();
      }
    }
    return out.toByteArray();
  }

  @Test
  void readsSavez() {
    Map<String, Tensor> m = NpzFormat.read(fixture("savez.npz"));
    assertEquals(List.of("x", "idx", "flag"), List.copyOf(m.keySet()));
    assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, m.get("x").floats());
    assertEquals(TensorType.f32(2, 3), m.get("x").type());
    assertArrayEquals(new long[] {3, 1, 2}, m.get("idx").longs());
    assertEquals(TensorType.of(ElementType.BOOL), m.get("flag").type());
    assertEquals(1, m.get("flag").bytes()[0]);
  }

  @Test
  void readsSavezCompressed() {
    Map<String, Tensor> m = NpzFormat.read(fixture("savez_compressed.npz"));
    assertEquals(List.of("w", "b"), List.copyOf(m.keySet()));
    assertEquals(TensorType.f32(10, 10), m.get("w").type());
    for (int i = 0; i < 100; i++) {
      assertEquals(i, m.get("w").floats()[i]);
    }
    assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5}, m.get("b").ints());
  }

  @Test
  void roundTripsInMapOrder() {
    Path file = dir.resolve("t.npz");
    NpzFormat.write(file, sampleMap());
    Map<String, Tensor> back = NpzFormat.read(file);
    assertEquals(List.copyOf(sampleMap().keySet()), List.copyOf(back.keySet()));
    sampleMap().forEach((k, v) -> assertTrue(v.contentEquals(back.get(k)), k));
    NpzFormat.write(file, Map.of());
    assertEquals(Map.of(), NpzFormat.read(file));
  }

  @Test
  void writesDeterministicBytes() throws IOException {
    Path a = dir.resolve("a.npz");
    Path b = dir.resolve("b.npz");
    NpzFormat.write(a, sampleMap());
    NpzFormat.write(b, sampleMap());
    byte[] bytes = Files.readAllBytes(a);
    assertArrayEquals(bytes, Files.readAllBytes(b));
    var out = new ByteArrayOutputStream();
    NpzFormat.write(out, sampleMap());
    assertArrayEquals(bytes, out.toByteArray());
    // The first local header: stored (method 0), DOS time 00:00:00 and date 1980-01-01, whatever the time zone.
    assertEquals(0x04034b50, le32(bytes, 0));
    assertEquals(0, le16(bytes, 8));
    assertEquals(0, le16(bytes, 10));
    assertEquals((1 << 5) | 1, le16(bytes, 12));
    // The entry is the .npy bytes as they are.
    byte[] npyBytes = NpyFormat.toBytes(sampleMap().get("zeta"));
    int nameLength = le16(bytes, 26);
    int extraLength = le16(bytes, 28);
    assertArrayEquals(npyBytes, java.util.Arrays.copyOfRange(bytes, 30 + nameLength + extraLength,
        30 + nameLength + extraLength + npyBytes.length));
  }

  private static int le16(byte[] b, int at) {
    return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8;
  }

  private static int le32(byte[] b, int at) {
    return le16(b, at) | le16(b, at + 2) << 16;
  }

  @Test
  void notAZip() {
    Path garbage = NpyTesting.write(dir, "g.npz", "not a zip at all".getBytes(StandardCharsets.US_ASCII));
    var e = assertError(garbage.toString(), "not an .npz archive (not a zip file)", () -> NpzFormat.read(garbage));
    assertEquals("an .npz file is written by numpy.savez or numpy.savez_compressed", e.hint());
    Path empty = NpyTesting.write(dir, "e.npz", new byte[0]);
    assertError(empty.toString(), "not an .npz archive (not a zip file)", () -> NpzFormat.read(empty));
    Path npy = NpyTesting.write(dir, "n.npz", NpyFormat.toBytes(Tensor.scalar(1f)));
    e = assertError(npy.toString(), "not an .npz archive (not a zip file)", () -> NpzFormat.read(npy));
    assertEquals("this looks like a single array; a .npy file must be named *.npy", e.hint());
    Path missing = dir.resolve("missing.npz");
    assertError(missing.toString(), "cannot read: no such file", () -> NpzFormat.read(missing));
  }

  @Test
  void entryThatIsNotAnArray() {
    Path file = fixture("with_text.npz");
    var e = assertError(file.toString(), "entry 'readme.txt' is not a .npy array", () -> NpzFormat.read(file));
    assertEquals("an .npz archive holds only .npy entries, as numpy.savez writes them", e.hint());
  }

  @Test
  void badArrayInsideNamesTheEntry() throws IOException {
    byte[] fortran = Files.readAllBytes(fixture("fortran.npy"));
    Path file = NpyTesting.write(dir, "f.npz", zip(List.of("ok.npy", "w.npy"),
        List.of(NpyFormat.toBytes(Tensor.scalar(1f)), fortran), true));
    var e = assertError(file.toString(), "entry 'w.npy': fortran_order: True is not supported; cimc reads C-order arrays only",
        () -> NpzFormat.read(file));
    assertEquals(file + ": error: entry 'w.npy': fortran_order: True is not supported; cimc reads C-order arrays only\n"
        + "hint: save with np.save(path, np.ascontiguousarray(a))", e.render());
  }

  @Test
  void corruptStoredEntryFailsItsCrc() throws IOException {
    byte[] good = zip(List.of("a.npy"), List.of(NpyFormat.toBytes(Tensor.ofFloats(new int[] {4}, 1, 2, 3, 4))), false);
    int npyStart = 30 + le16(good, 26) + le16(good, 28);
    // A flipped bit in the data, and one in the .npy header (which would otherwise read as a bad header).
    for (int at : new int[] {npyStart + 128 + 5, npyStart + 40}) {
      byte[] z = good.clone();
      z[at] ^= 0x40;
      Path file = NpyTesting.write(dir, "c.npz", z);
      var e = assertError(file.toString(), "entry 'a.npy': corrupt data (CRC mismatch)", () -> NpzFormat.read(file));
      assertEquals("the archive is damaged; write it again with numpy.savez", e.hint());
    }
  }

  @Test
  void corruptDeflatedEntry() throws IOException {
    byte[] z = Files.readAllBytes(fixture("savez_compressed.npz"));
    // Overwrite the deflate stream of the first entry, just after its local header.
    int start = 30 + le16(z, 26) + le16(z, 28);
    for (int i = start; i < start + 40; i++) {
      z[i] = (byte) 0xFF;
    }
    Path file = NpyTesting.write(dir, "c.npz", z);
    var e = assertError(file.toString(), "entry 'w.npy': corrupt data (invalid block type)", () -> NpzFormat.read(file));
    assertEquals("the archive is damaged; write it again with numpy.savez", e.hint());
  }

  @Test
  void truncatedEntry() throws IOException {
    byte[] whole = NpyFormat.toBytes(Tensor.ofFloats(new int[] {4}, 1, 2, 3, 4));
    Path file = NpyTesting.write(dir, "t.npz", zip(List.of("a.npy"), List.of(java.util.Arrays.copyOf(whole, whole.length - 3)), true));
    assertError(file.toString(), "entry 'a.npy': truncated data: shape (4,) of '<f4' needs 16 bytes, got 13",
        () -> NpzFormat.read(file));
  }

  @Test
  void hugeShapeInATinyEntryFailsWithoutAllocating() throws IOException {
    byte[] bomb = npy("<f8", "(2000000000,)", new byte[16]);
    for (boolean deflate : new boolean[] {true, false}) {
      Path file = NpyTesting.write(dir, "b.npz", zip(List.of("big.npy"), List.of(bomb), deflate));
      assertError(file.toString(), "entry 'big.npy': truncated data: shape (2000000000,) of '<f8' needs 16000000000 bytes, got 16",
          () -> NpzFormat.read(file));
    }
  }

  @Test
  void declaredSizeBeyondWhatDeflateProduces() throws IOException {
    byte[] z = zip(List.of("a.npy"), List.of(NpyFormat.toBytes(Tensor.scalar(1f))), true);
    // Patch the uncompressed size in the central directory entry to 4 GB - 1.
    int cen = lastIndexOf(z, new byte[] {'P', 'K', 1, 2});
    int compressed = le32(z, cen + 20);
    for (int i = 0; i < 4; i++) {
      z[cen + 24 + i] = (byte) 0xFF;
    }
    Path file = NpyTesting.write(dir, "bomb.npz", z);
    assertError(file.toString(), "entry 'a.npy': corrupt data (it declares 4294967295 bytes from " + compressed
        + " compressed bytes, more than deflate can produce)", () -> NpzFormat.read(file));
  }

  @Test
  void duplicateEntries() throws IOException {
    byte[] one = NpyFormat.toBytes(Tensor.scalar(1f));
    byte[] z = zip(List.of("a.npy", "b.npy"), List.of(one, one), false);
    // Rename b.npy to a.npy in both the local and the central headers.
    byte[] from = "b.npy".getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i + from.length <= z.length; i++) {
      if (java.util.Arrays.equals(z, i, i + from.length, from, 0, from.length)) {
        z[i] = 'a';
      }
    }
    Path file = NpyTesting.write(dir, "d.npz", z);
    assertError(file.toString(), "duplicate entry 'a.npy'", () -> NpzFormat.read(file));
  }

  private static int lastIndexOf(byte[] hay, byte[] needle) {
    for (int i = hay.length - needle.length; i >= 0; i--) {
      if (java.util.Arrays.equals(hay, i, i + needle.length, needle, 0, needle.length)) {
        return i;
      }
    }
    throw new AssertionError("not found");
  }
}
