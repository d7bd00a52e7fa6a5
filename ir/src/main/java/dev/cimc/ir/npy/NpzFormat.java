package dev.cimc.ir.npy;

import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.io.AtomicFile;
import dev.cimc.ir.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Reads and writes NumPy {@code .npz} archives: zip files whose entries are {@code .npy} arrays named
 * {@code <key>.npy}, as {@code numpy.savez} (stored entries) and {@code numpy.savez_compressed} (deflated
 * entries) write them.
 *
 * <p>Reading returns the arrays keyed by entry name without {@code .npy}, in archive order. An entry of
 * another name, a duplicate key, an unsupported compression method, a size the compressed bytes cannot
 * produce, a CRC mismatch or a bad {@code .npy} inside is a {@link CimcException} at the archive that names
 * the entry. Declared sizes are checked before anything is allocated: a stored entry cannot be larger than
 * the archive, a deflated one not larger than deflate can expand its compressed bytes, and the array's
 * header must fit in its entry.
 *
 * <p>Writing uses stored entries in the map's iteration order, with every timestamp at 1980-01-01 00:00,
 * so the same tensors give the same bytes.
 */
public final class NpzFormat {
  /** Deflate expands at most about 1032:1; a larger claim is a corrupt or hostile archive. */
  private static final long MAX_DEFLATE_RATIO = 1032;
  private static final LocalDateTime ENTRY_TIME = LocalDateTime.of(1980, 1, 1, 0, 0);
  private static final String CORRUPT_HINT = "the archive is damaged; write it again with numpy.savez";

  private NpzFormat() {}

  /** Reads every array of {@code archive}, in archive order (the map is unmodifiable). */
  public static Map<String, Tensor> read(Path archive) {
    Origin origin = Origin.file(archive.toString());
    NpyFormat.checkReadable(archive, origin);
    ZipFile zip;
    try {
      zip = new ZipFile(archive.toFile());
    } catch (ZipException e) {
      throw origin.error("not an .npz archive (not a zip file)",
          looksLikeNpy(archive) ? "this looks like a single array; a .npy file must be named *.npy"
              : "an .npz file is written by numpy.savez or numpy.savez_compressed");
    } catch (IOException e) {
      throw NpyFormat.readError(origin, e);
    }
    try (zip) {
      long archiveSize = Files.size(archive);
      var out = new LinkedHashMap<String, Tensor>();
      Enumeration<? extends ZipEntry> entries = zip.entries();
      while (entries.hasMoreElements()) {
        ZipEntry e = entries.nextElement();
        String name = e.getName();
        if (e.isDirectory() || !name.endsWith(".npy")) {
          throw origin.error("entry '" + name + "' is not a .npy array",
              "an .npz archive holds only .npy entries, as numpy.savez writes them");
        }
        String key = name.substring(0, name.length() - ".npy".length());
        if (out.containsKey(key)) {
          throw origin.error("duplicate entry '" + name + "'", CORRUPT_HINT);
        }
        out.put(key, readEntry(zip, e, archiveSize, origin.entry(name)));
      }
      return Collections.unmodifiableMap(out);
    } catch (IOException e) {
      throw NpyFormat.readError(origin, e);
    }
  }

  private static Tensor readEntry(ZipFile zip, ZipEntry e, long archiveSize, Origin origin) {
    long size = e.getSize();
    long compressed = e.getCompressedSize();
    if (e.getMethod() != ZipEntry.STORED && e.getMethod() != ZipEntry.DEFLATED) {
      throw origin.error("unsupported compression method " + e.getMethod(),
          "cimc reads stored and deflated entries, as numpy.savez and numpy.savez_compressed write them");
    }
    if (size < 0 || compressed < 0) {
      throw corrupt(origin, "its sizes are missing", null);
    }
    if (e.getMethod() == ZipEntry.STORED && (size != compressed || size > archiveSize)) {
      throw corrupt(origin, "it declares " + size + " bytes in a " + archiveSize + "-byte archive", null);
    }
    if (e.getMethod() == ZipEntry.DEFLATED && size > compressed * MAX_DEFLATE_RATIO + 1024) {
      throw corrupt(origin, "it declares " + size + " bytes from " + compressed
          + " compressed bytes, more than deflate can produce", null);
    }
    try (InputStream raw = zip.getInputStream(e); var in = new CheckedInputStream(raw, new CRC32())) {
      Tensor t;
      try {
        t = NpyFormat.read(new ByteSource(in, size), origin, true);
      } catch (CimcException bad) {
        // A damaged archive can garble the header; then the checksum names the real problem.
        in.skip(Long.MAX_VALUE);
        if (in.getChecksum().getValue() != e.getCrc()) {
          throw corrupt(origin, "CRC mismatch", null);
        }
        throw bad;
      }
      if (in.read() != -1) {
        throw corrupt(origin, "it holds more than its declared " + size + " bytes", null);
      }
      if (in.getChecksum().getValue() != e.getCrc()) {
        throw corrupt(origin, "CRC mismatch", null);
      }
      return t;
    } catch (IOException ex) {
      throw corrupt(origin, ex.getMessage() != null ? ex.getMessage() : ex.getClass().getSimpleName(), ex);
    }
  }

  private static CimcException corrupt(Origin origin, String reason, Throwable cause) {
    return origin.error("corrupt data (" + reason + ")", CORRUPT_HINT, null, cause);
  }

  private static boolean looksLikeNpy(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] head = in.readNBytes(NpyFormat.MAGIC.length);
      return Arrays.equals(head, NpyFormat.MAGIC);
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Writes {@code tensors} to {@code archive} atomically, one stored entry {@code <key>.npy} per tensor in
   * the map's iteration order.
   */
  public static void write(Path archive, Map<String, Tensor> tensors) {
    checkKeys(tensors);
    AtomicFile.write(archive, out -> write(out, tensors));
  }

  /** Writes {@code tensors} as an {@code .npz} archive to {@code out} (which stays open). */
  public static void write(OutputStream out, Map<String, Tensor> tensors) throws IOException {
    checkKeys(tensors);
    var zip = new ZipOutputStream(out);
    for (var kv : tensors.entrySet()) {
      Tensor t = kv.getValue();
      // A stored entry needs its size and CRC up front: a first pass computes them without buffering.
      var sizing = new CrcCounter();
      NpyFormat.write(sizing, t);
      var entry = new ZipEntry(kv.getKey() + ".npy");
      entry.setMethod(ZipEntry.STORED);
      entry.setSize(sizing.count);
      entry.setCompressedSize(sizing.count);
      entry.setCrc(sizing.crc.getValue());
      // Local time, not an instant: the same DOS timestamp in every time zone.
      entry.setTimeLocal(ENTRY_TIME);
      zip.putNextEntry(entry);
      NpyFormat.write(zip, t);
      zip.closeEntry();
    }
    zip.finish();
  }

  private static void checkKeys(Map<String, Tensor> tensors) {
    for (var kv : tensors.entrySet()) {
      if (kv.getKey() == null || kv.getKey().isEmpty()) {
        throw new IllegalArgumentException("an .npz entry needs a non-empty name");
      }
      Objects.requireNonNull(kv.getValue(), () -> "tensor for '" + kv.getKey() + "'");
    }
  }

  /** Counts bytes and their CRC-32, discarding them. */
  private static final class CrcCounter extends OutputStream {
    final CRC32 crc = new CRC32();
    long count;

    @Override
    public void write(int b) {
      crc.update(b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      crc.update(b, off, len);
      count += len;
    }
  }
}
