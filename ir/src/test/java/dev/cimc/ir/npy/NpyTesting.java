package dev.cimc.ir.npy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cimc.ir.diag.CimcException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.function.Executable;

/** Fixtures and byte builders shared by the tests of this package. */
final class NpyTesting {
  private NpyTesting() {}

  /** A fixture written by NumPy (see src/test/resources/npy/make_fixtures.py). */
  static Path fixture(String name) {
    try {
      return Path.of(NpyTesting.class.getResource("/npy/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A .npy file of the given version, header text (sent as is) and data. */
  static byte[] npy(int major, String header, byte[] data) {
    byte[] h = header.getBytes(major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    var out = new ByteArrayOutputStream();
    out.writeBytes(NpyFormat.MAGIC);
    out.write(major);
    out.write(0);
    out.write(h.length & 0xFF);
    out.write((h.length >>> 8) & 0xFF);
    if (major != 1) {
      out.write((h.length >>> 16) & 0xFF);
      out.write((h.length >>> 24) & 0xFF);
    }
    out.writeBytes(h);
    out.writeBytes(data);
    return out.toByteArray();
  }

  /** A version 1.0 .npy file with the dict {@code {'descr': descr, 'fortran_order': False, 'shape': shape}}. */
  static byte[] npy(String descr, String shape, byte[] data) {
    return npy(1, "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }\n", data);
  }

  static Path write(Path dir, String name, byte[] bytes) {
    try {
      return Files.write(dir.resolve(name), bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Asserts that {@code body} throws a {@code CimcException} (exit code 1) located at {@code file} with
   * exactly {@code message}, and returns it.
   */
  static CimcException assertError(String file, String message, Executable body) {
    var e = assertThrows(CimcException.class, body);
    assertEquals(message, e.getMessage());
    assertEquals(file, e.location().toString());
    assertEquals(1, e.exitCode());
    return e;
  }
}
