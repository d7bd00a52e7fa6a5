package dev.cimc.tests;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The shared test data folder ({@code ../shared/data} beside the repository root, as in CI). In CI
 * ({@code CI=true}) a missing folder fails the test; elsewhere the test is skipped with a message.
 */
public final class SharedData {
  private SharedData() {}

  /** The data folder, or a failed/skipped test when it is missing. */
  public static Path dir() {
    Path found = locate();
    if (found == null) {
      String msg = "shared test data not found: expected ../shared/data beside the repository root (walked up from "
          + Path.of("").toAbsolutePath() + ")";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new IllegalStateException(msg + "; CI must provide it");
      }
      assumeTrue(false, msg + "; skipping");
    }
    return found;
  }

  /** A sub-folder or file of the data folder (failed or skipped like {@link #dir()} when absent). */
  public static Path resolve(String relative) {
    Path p = dir().resolve(relative);
    if (!Files.exists(p)) {
      throw new IllegalStateException("missing shared test data: " + p);
    }
    return p;
  }

  /** Walks up from the working folder to the repository root (the folder with .git), then ../shared/data. */
  private static Path locate() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.exists(p.resolve(".git"))) {
        Path data = p.resolveSibling("shared").resolve("data");
        return Files.isDirectory(data) ? data : null;
      }
    }
    return null;
  }
}
