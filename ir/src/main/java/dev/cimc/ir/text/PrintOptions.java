package dev.cimc.ir.text;

/**
 * How the printer writes a graph.
 *
 * @param inlineLimit constants with more elements than this print as a named blob {@code @name}
 *     (splats always print inline as {@code dense<v>})
 * @param elideConstants blobs are referenced but their data is not kept (for dumps)
 * @param printLocations append {@code loc(...)} to nodes that have a location
 */
public record PrintOptions(int inlineLimit, boolean elideConstants, boolean printLocations) {
  public static final int DEFAULT_INLINE_LIMIT = 16;

  /** Inline up to 16 elements, keep blobs, no locations. */
  public static PrintOptions defaults() {
    return new PrintOptions(DEFAULT_INLINE_LIMIT, false, false);
  }

  /** For IR dumps: large constants elided. */
  public static PrintOptions dump() {
    return new PrintOptions(DEFAULT_INLINE_LIMIT, true, false);
  }

  public PrintOptions withElideConstants(boolean e) {
    return new PrintOptions(inlineLimit, e, printLocations);
  }

  public PrintOptions withInlineLimit(int n) {
    return new PrintOptions(n, elideConstants, printLocations);
  }

  public PrintOptions withLocations(boolean l) {
    return new PrintOptions(inlineLimit, elideConstants, l);
  }
}
