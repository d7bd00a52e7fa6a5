package dev.cimc.ir.pass;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Inputs a compilation gives its passes beyond the graph and the pass options: calibration samples for
 * {@code quantize}, per-layer quantization rules, a target (as TVM's {@code PassContext} config or MLIR's
 * context attachments). Keyed by type; immutable, so one set can serve many pass managers. A pass states
 * in its documentation which resources it reads and what it does without them.
 */
public final class PassResources {
  private static final PassResources EMPTY = new PassResources(Map.of());

  private final Map<Class<?>, Object> byType;

  private PassResources(Map<Class<?>, Object> byType) {
    this.byType = byType;
  }

  /** No resources. */
  public static PassResources empty() {
    return EMPTY;
  }

  /** These resources plus {@code value} under {@code type} (replacing one given before). */
  public <T> PassResources with(Class<T> type, T value) {
    Objects.requireNonNull(value, "value");
    var m = new LinkedHashMap<Class<?>, Object>(byType);
    m.put(type, type.cast(value));
    return new PassResources(Map.copyOf(m));
  }

  /** The resource of {@code type}, if one was given. */
  public <T> Optional<T> get(Class<T> type) {
    return Optional.ofNullable(type.cast(byType.get(type)));
  }
}
