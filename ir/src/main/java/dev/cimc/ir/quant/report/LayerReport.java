package dev.cimc.ir.quant.report;

/**
 * One layer of a {@link QuantReport}.
 *
 * @param name the layer's result value name in the float graph
 * @param op the op's full name
 * @param weightScheme e.g. {@code int4 sym per-channel}, or null when the layer has no constant weight or it
 *     stayed float ({@code float})
 * @param weightBits bits of the weight codes, or null
 * @param weightScaleMin smallest weight scale over channels, or NaN
 * @param weightScaleMax largest weight scale over channels, or NaN
 * @param activationScheme scheme of the layer's result, e.g. {@code uint8 asym}, or {@code float}
 * @param activationBits bits of the result codes, or null when float
 * @param outputScale the result's scale, or NaN when float
 * @param sqnrDb SQNR of the quantized graph's value against the float graph's, in dB (+∞ when exact, NaN when
 *     the quantized graph has no counterpart)
 */
public record LayerReport(String name, String op, String weightScheme, Integer weightBits, double weightScaleMin,
    double weightScaleMax, String activationScheme, Integer activationBits, double outputScale, double sqnrDb) {

  /** True if the layer's result is quantized. */
  public boolean quantized() {
    return activationBits != null;
  }
}
