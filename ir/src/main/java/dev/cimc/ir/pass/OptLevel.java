package dev.cimc.ir.pass;

import java.util.Optional;

/** Optimization levels, each naming a preset pipeline (see {@link Pipelines}). */
public enum OptLevel {
  /** No passes: the input is only verified. */
  O0,
  /** Cheap cleanups: canonicalization, constant folding, dead code elimination, batch norm folding. */
  O1,
  /** The default level: O1 plus equalization, bias absorption and fusion (quantization later). */
  O2,
  /** Everything, including transformations that trade compile time for speed. */
  O3;

  /** The level spelled {@code O0}..{@code O3}, if {@code text} is one. */
  public static Optional<OptLevel> fromText(String text) {
    for (OptLevel l : values()) {
      if (l.name().equals(text)) {
        return Optional.of(l);
      }
    }
    return Optional.empty();
  }
}
