package dev.cimc.ir.npy;

import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.diag.Location;
import dev.cimc.ir.tensor.Tensor;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Reads and writes named tensors in the file format given by the file's extension: {@code .npy} holds one
 * tensor, keyed by the file's stem ({@code in.npy} → {@code "in"}), {@code .npz} several. Further formats
 * (ONNX {@code TensorProto} {@code .pb}) are added as constants of {@link Format}.
 */
public final class TensorFiles {
  private TensorFiles() {}

  /** A tensor file format, chosen by extension. */
  public enum Format {
    /** NumPy {@code .npy}: one array. */
    NPY("npy") {
      @Override
      Map<String, Tensor> readFile(Path file) {
        return Map.of(stem(file), NpyFormat.read(file));
      }

      @Override
      void writeFile(Path file, Map<String, Tensor> tensors) {
        if (tensors.size() != 1) {
          throw new CimcException(Location.file(file.toString()),
              "a .npy file holds exactly one tensor, got " + tensors.size()
                  + (tensors.isEmpty() ? "" : " (" + String.join(", ", tensors.keySet()) + ")"),
              "write several tensors to an .npz file");
        }
        NpyFormat.write(file, tensors.values().iterator().next());
      }
    },
    /** NumPy {@code .npz}: a zip archive of named arrays. */
    NPZ("npz") {
      @Override
      Map<String, Tensor> readFile(Path file) {
        return NpzFormat.read(file);
      }

      @Override
      void writeFile(Path file, Map<String, Tensor> tensors) {
        NpzFormat.write(file, tensors);
      }
    };

    private final String extension;

    Format(String extension) {
      this.extension = extension;
    }

    /** The extension without the dot, e.g. {@code npz}. */
    public String extension() {
      return extension;
    }

    abstract Map<String, Tensor> readFile(Path file);

    abstract void writeFile(Path file, Map<String, Tensor> tensors);

    /** The format of a file by its extension (case-insensitive), if cimc knows it. */
    public static Optional<Format> of(Path file) {
      String ext = TensorFiles.extension(file).toLowerCase(Locale.ROOT);
      for (Format f : values()) {
        if (f.extension.equals(ext)) {
          return Optional.of(f);
        }
      }
      return Optional.empty();
    }
  }

  /** Reads the tensors of {@code file} in file order (the map is unmodifiable). */
  public static Map<String, Tensor> read(Path file) {
    return formatOf(file).readFile(file);
  }

  /** Writes {@code tensors} to {@code file} atomically, in the map's iteration order. */
  public static void write(Path file, Map<String, Tensor> tensors) {
    formatOf(file).writeFile(file, tensors);
  }

  private static Format formatOf(Path file) {
    Optional<Format> f = Format.of(file);
    if (f.isPresent()) {
      return f.get();
    }
    String ext = TensorFiles.extension(file);
    String known = Arrays.stream(Format.values()).map(x -> "." + x.extension).collect(Collectors.joining(", "));
    throw new CimcException(Location.file(file.toString()),
        ext.isEmpty() ? "tensor file has no extension" : "unsupported tensor file extension '." + ext + "'",
        "cimc reads and writes tensor files named " + known);
  }

  private static String extension(Path file) {
    Path name = file.getFileName();
    String s = name == null ? "" : name.toString();
    int dot = s.lastIndexOf('.');
    return dot <= 0 ? "" : s.substring(dot + 1);
  }

  private static String stem(Path file) {
    String s = file.getFileName().toString();
    int dot = s.lastIndexOf('.');
    return dot <= 0 ? s : s.substring(0, dot);
  }
}
