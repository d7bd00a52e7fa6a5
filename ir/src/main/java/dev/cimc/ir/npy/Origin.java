package dev.cimc.ir.npy;

import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.diag.Location;

/**
 * Where the bytes being read come from, for error messages: a file, and inside an {@code .npz} archive the
 * entry. Errors are located at the file; an entry is named at the start of the message.
 *
 * @param file the file as the user named it
 * @param entry the archive entry, or null for a plain file
 */
record Origin(String file, String entry) {
  static Origin file(String file) {
    return new Origin(file, null);
  }

  Origin entry(String name) {
    return new Origin(file, name);
  }

  Location location() {
    return Location.file(file);
  }

  CimcException error(String message, String hint) {
    return error(message, hint, null, null);
  }

  CimcException error(String message, String hint, String detail, Throwable cause) {
    String prefix = entry == null ? "" : "entry '" + entry + "': ";
    return new CimcException(location(), prefix + message, hint, detail, cause);
  }
}
