package dev.cimc.ir.quant.observe;

import dev.cimc.ir.diag.CimcException;
import java.util.ArrayList;
import java.util.List;

/** How a range is set from observed data; {@link #text()} is the spelling on the command line. */
public enum RangeMethod {
  /** {@link MinMaxObserver}. */
  MIN_MAX("minmax"),
  /** {@link MovingAverageMinMaxObserver}. */
  MOVING_AVERAGE("ema"),
  /** {@link PercentileObserver}. */
  PERCENTILE("percentile"),
  /** {@link MseObserver}. */
  MSE("mse"),
  /** {@link KlDivergenceObserver}. */
  KL("kl"),
  /** {@link CrossEntropyObserver}: for the final classifier's logits. */
  CROSS_ENTROPY("cross-entropy");

  private final String text;

  RangeMethod(String text) {
    this.text = text;
  }

  public String text() {
    return text;
  }

  /** The method spelled {@code s}; a CimcException listing the known spellings otherwise. */
  public static RangeMethod fromText(String s) {
    List<String> known = new ArrayList<>();
    for (RangeMethod m : values()) {
      if (m.text.equals(s)) {
        return m;
      }
      known.add(m.text);
    }
    throw new CimcException("unknown range method '" + s + "'", "known methods: " + String.join(", ", known));
  }
}
