package dev.cimc.ir.npy;

import static dev.cimc.ir.npy.NpyTesting.assertError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cimc.ir.io.AtomicFile;
import dev.cimc.ir.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A write either replaces the file whole or leaves everything as it was, temporary files included. */
class AtomicWriteTest {
  @TempDir Path dir;

  private List<String> listing() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void failedWriteLeavesNoFile() throws IOException {
    Path target = dir.resolve("out.npy");
    var e = assertError(target.toString(), "cannot write: disk on fire", () -> AtomicFile.write(target, out -> {
      out.write(new byte[100_000]); // more than the buffer, so bytes reach the temporary file
      throw new IOException("disk on fire");
    }));
    assertEquals("disk on fire", e.getCause().getMessage());
    assertEquals(List.of(), listing());
  }

  @Test
  void failedWriteKeepsTheOldFile() throws IOException {
    Path target = dir.resolve("out.npz");
    Files.write(target, new byte[] {1, 2, 3});
    assertThrows(IllegalStateException.class, () -> AtomicFile.write(target, out -> {
      out.write(new byte[100_000]);
      throw new IllegalStateException("bug in a writer");
    }));
    assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(target));
    assertEquals(List.of("out.npz"), listing());
  }

  @Test
  void successfulWriteReplacesTheFileAndLeavesNoTemporary() throws IOException {
    Path target = dir.resolve("t.npy");
    Files.write(target, new byte[] {9});
    NpyFormat.write(target, Tensor.scalar(1f));
    assertArrayEquals(NpyFormat.toBytes(Tensor.scalar(1f)), Files.readAllBytes(target));
    assertEquals(List.of("t.npy"), listing());
  }

  @Test
  void missingFolder() throws IOException {
    Path target = dir.resolve("no/such/out.npy");
    assertError(target.toString(), "cannot write: folder '" + dir.resolve("no/such").toAbsolutePath() + "' does not exist",
        () -> NpyFormat.write(target, Tensor.scalar(1f)));
    assertEquals(List.of(), listing());
  }

  @Test
  void targetIsAFolder() throws IOException {
    Path target = Files.createDirectory(dir.resolve("taken.npy"));
    Files.write(target.resolve("inside"), new byte[1]);
    assertError(target.toString(), "cannot write: is a folder, not a file", () -> NpyFormat.write(target, Tensor.scalar(1f)));
    assertEquals(List.of("taken.npy"), listing());
    assertFalse(Files.isRegularFile(target));
  }
}
