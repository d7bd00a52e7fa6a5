package dev.cimc.compiler;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The cimc version, from the build. */
public final class Version {
  private Version() {}

  private static final String VERSION = load();

  private static String load() {
    try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
      if (in == null) {
        return "unknown";
      }
      var p = new Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }

  /** e.g. {@code 0.1.0-SNAPSHOT}. */
  public static String get() {
    return VERSION;
  }
}
