package dev.cimc.frontend.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.cimc.frontend.onnx.proto.Onnx;
import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.diag.Location;
import dev.cimc.ir.io.AtomicFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads ONNX protobuf files. A protobuf message holds at most 2 GiB (bigger models keep their weights in
 * external data): files beyond that are rejected before they are read, and the parser's size limit is set
 * to 2 GiB explicitly (protobuf-java 4 defaults to it; protobuf 2 and early 3 used 64 MiB). The nesting limit
 * stays at protobuf's default of 100, ample for a graph without subgraphs. {@code raw_data} byte strings
 * alias the file's bytes instead of copying them.
 */
final class OnnxProtobuf {
  private OnnxProtobuf() {}

  /** Largest protobuf file cimc reads (the protobuf limit, minus the JVM's array headroom). */
  static final long MAX_FILE_BYTES = Integer.MAX_VALUE - 8;

  /** The bytes of a file, with clear errors for missing files, folders and files too large to parse. */
  static byte[] readFile(Path file, String kind) {
    Location loc = Location.file(file.toString());
    try {
      if (Files.isDirectory(file)) {
        throw new CimcException(loc, "cannot read " + kind + ": is a folder, not a file", null);
      }
      long size = Files.size(file);
      if (size > MAX_FILE_BYTES) {
        throw new CimcException(loc, kind + " is " + size + " bytes; protobuf files are limited to 2 GiB",
            "store large tensors as ONNX external data (onnx.save_model(..., save_as_external_data=True))");
      }
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new CimcException(loc, "cannot read " + kind + ": " + AtomicFile.describe(e), null, null, e);
    }
  }

  static Onnx.ModelProto parseModel(byte[] bytes, Location loc) {
    if (bytes.length == 0) {
      throw new CimcException(loc, "the model file is empty", "an ONNX model is a binary protobuf ModelProto");
    }
    try {
      return Onnx.ModelProto.parseFrom(stream(bytes));
    } catch (InvalidProtocolBufferException e) {
      throw invalid(loc, "ONNX model", e);
    } catch (IOException e) {
      throw new IllegalStateException("reading protobuf from memory failed", e);
    }
  }

  static Onnx.TensorProto parseTensor(byte[] bytes, Location loc) {
    try {
      return Onnx.TensorProto.parseFrom(stream(bytes));
    } catch (InvalidProtocolBufferException e) {
      throw invalid(loc, "ONNX tensor (TensorProto) file", e);
    } catch (IOException e) {
      throw new IllegalStateException("reading protobuf from memory failed", e);
    }
  }

  private static CodedInputStream stream(byte[] bytes) {
    CodedInputStream in = CodedInputStream.newInstance(bytes);
    in.enableAliasing(true);
    in.setSizeLimit(Integer.MAX_VALUE);
    return in;
  }

  private static CimcException invalid(Location loc, String kind, InvalidProtocolBufferException e) {
    String why = e.getMessage() == null ? "malformed protobuf" : e.getMessage();
    return new CimcException(loc, "not a valid " + kind + ": " + why,
        "the file is truncated, corrupted, or not a binary " + kind, null, e);
  }
}
