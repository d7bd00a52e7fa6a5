package dev.cimc.frontend;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The test data no one on the project wrote ({@code ../shared/data} next to the repository root, as in CI).
 * Tests that read it call {@link #dir()}: in CI ({@code CI=true}) a missing folder fails the test; elsewhere
 * the test is skipped with a message saying where the data was looked for.
 */
public final class SharedData {
  private SharedData() {}

  /** The shared data folder; fails (CI) or skips (elsewhere) the calling test when it is missing. */
  public static Path dir() {
    Path dir = locate();
    if (!Files.isDirectory(dir)) {
      String msg = "shared test data not found at " + dir + " (expected ../shared/data next to the repository root)";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail(msg);
      }
      assumeTrue(false, msg);
    }
    return dir;
  }

  /** A sub-folder of the shared data, e.g. {@code onnx-node}. */
  public static Path dir(String name) {
    Path d = dir().resolve(name);
    if (!Files.isDirectory(d)) {
      fail("shared test data folder " + d + " is missing");
    }
    return d;
  }

  /** The repository root is the top-most folder above the module that has a pom.xml. */
  private static Path locate() {
    Path dir = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
    Path root = dir;
    for (Path p = dir; p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("pom.xml"))) {
        root = p;
      }
    }
    return root.resolve("../shared/data").normalize();
  }
}
