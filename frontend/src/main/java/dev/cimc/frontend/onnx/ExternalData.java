package dev.cimc.frontend.onnx;

import dev.cimc.frontend.onnx.proto.Onnx;
import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.diag.Location;
import dev.cimc.ir.io.AtomicFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads the bytes of tensors stored outside the model ({@code data_location = EXTERNAL}). Locations are
 * resolved inside the model's folder only: an absolute location, one with {@code ..} that leaves the folder,
 * or one whose real path (after following symlinks) lies outside it is rejected before anything is read.
 */
final class ExternalData {
  private final Path folder;
  private final String modelName;

  /**
   * @param folder the folder of the model file, or null when the model did not come from a file (then
   *     external data is an error)
   * @param modelName the model's name in messages
   */
  ExternalData(Path folder, String modelName) {
    this.folder = folder;
    this.modelName = modelName;
  }

  /** The {@code byteCount} bytes of an external tensor, little-endian, positioned at 0. */
  ByteBuffer read(Onnx.TensorProto tp, long byteCount, Location loc, String what) {
    String location = null;
    long offset = 0;
    long length = -1;
    for (Onnx.StringStringEntryProto e : tp.getExternalDataList()) {
      switch (e.getKey()) {
        case "location" -> location = e.getValue();
        case "offset" -> offset = parseCount(e.getValue(), "offset", loc, what);
        case "length" -> length = parseCount(e.getValue(), "length", loc, what);
        default -> {
          // checksum and unknown keys do not change where the bytes are.
        }
      }
    }
    if (location == null || location.isEmpty()) {
      throw new CimcException(loc, what + " is stored externally but has no 'location'",
          "the external_data entries must include a location relative to the model's folder");
    }
    if (length >= 0 && length != byteCount) {
      throw new CimcException(loc, what + " declares " + length + " bytes of external data, but its type and shape need "
          + byteCount, null);
    }
    if (folder == null) {
      throw new CimcException(loc, what + " is stored in the external file '" + location
          + "', but the model was not read from a file", "import the model from its path so its folder is known");
    }
    Path file = resolve(location, loc, what);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (offset > size || byteCount > size - offset) {
        throw new CimcException(loc, what + " needs bytes " + offset + ".." + (offset + byteCount) + " of '" + location
            + "', which has only " + size + " bytes", "the external data file is truncated or belongs to another model");
      }
      if (byteCount > Integer.MAX_VALUE - 8) {
        throw new CimcException(loc, what + " has " + byteCount + " bytes of data, more than cimc holds in one tensor",
            null);
      }
      ByteBuffer buf = ByteBuffer.allocate((int) byteCount);
      long pos = offset;
      while (buf.hasRemaining()) {
        int n = ch.read(buf, pos);
        if (n < 0) {
          throw new CimcException(loc, "unexpected end of '" + location + "' reading " + what, null);
        }
        pos += n;
      }
      buf.flip();
      return buf;
    } catch (IOException e) {
      throw new CimcException(loc, "cannot read external data '" + location + "' of " + what + ": "
          + AtomicFile.describe(e), null, null, e);
    }
  }

  private Path resolve(String location, Location loc, String what) {
    String hint = "external data must be a file inside the model's folder, named by a relative path";
    Path rel;
    try {
      rel = Path.of(location);
    } catch (InvalidPathException e) {
      throw new CimcException(loc, "external data location '" + location + "' of " + what + " is not a valid path",
          hint);
    }
    if (rel.isAbsolute() || location.startsWith("/") || location.startsWith("\\") || rel.getRoot() != null) {
      throw new CimcException(loc, "external data location '" + location + "' of " + what + " is an absolute path",
          hint);
    }
    Path base = folder.toAbsolutePath().normalize();
    Path target = base.resolve(rel).normalize();
    if (!target.startsWith(base)) {
      throw new CimcException(loc, "external data location '" + location + "' of " + what
          + " leaves the model's folder", hint);
    }
    if (!Files.exists(target)) {
      throw new CimcException(loc, "external data file '" + location + "' of " + what + " not found in "
          + base, "keep the external data files next to " + modelName);
    }
    try {
      Path realBase = base.toRealPath();
      Path real = target.toRealPath();
      if (!real.startsWith(realBase)) {
        throw new CimcException(loc, "external data location '" + location + "' of " + what
            + " resolves (through a symbolic link) to " + real + ", outside the model's folder", hint);
      }
      if (!Files.isRegularFile(real)) {
        throw new CimcException(loc, "external data location '" + location + "' of " + what + " is not a file",
            hint);
      }
      return real;
    } catch (IOException e) {
      throw new CimcException(loc, "cannot resolve external data '" + location + "' of " + what + ": "
          + AtomicFile.describe(e), hint, null, e);
    }
  }

  private static long parseCount(String text, String key, Location loc, String what) {
    try {
      long v = Long.parseLong(text.trim());
      if (v >= 0) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new CimcException(loc, "external data '" + key + "' of " + what + " must be a non-negative integer, got '"
        + text + "'", null);
  }
}
