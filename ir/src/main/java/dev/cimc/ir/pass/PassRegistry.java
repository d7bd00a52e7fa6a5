package dev.cimc.ir.pass;

import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.diag.Spelling;
import dev.cimc.ir.transform.BiasAbsorption;
import dev.cimc.ir.transform.Canonicalize;
import dev.cimc.ir.transform.CommonSubexpressionElimination;
import dev.cimc.ir.transform.CrossLayerEqualization;
import dev.cimc.ir.transform.DeadCodeElimination;
import dev.cimc.ir.transform.FoldBatchNorm;
import dev.cimc.ir.transform.FoldConstants;
import dev.cimc.ir.transform.Fuse;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The passes a compilation knows, by CLI name. Immutable: {@link #with} makes an extended copy, so a
 * compiler embedding cimc adds its own passes without touching anyone else's registry.
 */
public final class PassRegistry {
  private static final PassRegistry STANDARD =
      of(List.of(Canonicalize.DEF, DeadCodeElimination.DEF, FoldConstants.DEF, CommonSubexpressionElimination.DEF,
          FoldBatchNorm.DEF, CrossLayerEqualization.DEF, BiasAbsorption.DEF, Fuse.DEF,
          dev.cimc.ir.quant.fakequant.Quantize.DEF,
          dev.cimc.ir.quant.integer.LowerToInteger.DEF));

  private final Map<String, PassDef> defs;

  private PassRegistry(Map<String, PassDef> defs) {
    for (PassDef d : defs.values()) {
      for (String p : d.preconditions()) {
        if (!defs.containsKey(p)) {
          throw new IllegalArgumentException("pass '" + d.name() + "' requires '" + p + "', which is not registered");
        }
      }
    }
    this.defs = Collections.unmodifiableMap(defs);
  }

  /** A registry of these definitions; names must be distinct and preconditions registered. */
  public static PassRegistry of(Collection<PassDef> defs) {
    var m = new TreeMap<String, PassDef>();
    for (PassDef d : defs) {
      if (m.put(d.name(), d) != null) {
        throw new IllegalArgumentException("pass '" + d.name() + "' registered twice");
      }
    }
    return new PassRegistry(m);
  }

  /** The passes of {@code dev.cimc.ir.transform} and the quantization passes ({@code quantize}, {@code lower-to-integer}). */
  public static PassRegistry standard() {
    return STANDARD;
  }

  /** This registry plus {@code more}. */
  public PassRegistry with(PassDef... more) {
    var all = new ArrayList<>(defs.values());
    all.addAll(List.of(more));
    return of(all);
  }

  public Optional<PassDef> lookup(String name) {
    return Optional.ofNullable(defs.get(name));
  }

  /** The pass with this name; an unknown name is a user error with a "did you mean" hint. */
  public PassDef get(String name) {
    PassDef d = defs.get(name);
    if (d == null) {
      throw unknownPass(name);
    }
    return d;
  }

  CimcException unknownPass(String name) {
    String near = Spelling.closest(name, defs.keySet());
    return new CimcException("unknown pass '" + name + "'",
        near != null ? "did you mean '" + near + "'?" : "run 'cimc passes' to list the passes");
  }

  /** A configured pass from its name and textual option values. */
  public Pass create(String name, Map<String, String> options) {
    return get(name).create(options);
  }

  /** Every definition, sorted by name. */
  public Collection<PassDef> defs() {
    return defs.values();
  }

  /** Pass names, sorted. */
  public List<String> names() {
    return new ArrayList<>(defs.keySet());
  }

  /** The text of {@code cimc passes}: every pass's description, sorted by name, separated by blank lines. */
  public String listing() {
    var sb = new StringBuilder();
    for (PassDef d : defs.values()) {
      if (sb.length() > 0) {
        sb.append('\n');
      }
      sb.append(d.describe());
    }
    return sb.toString();
  }
}
