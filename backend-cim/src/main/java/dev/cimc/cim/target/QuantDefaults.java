package dev.cimc.cim.target;

import dev.cimc.ir.quant.QuantScheme;

/**
 * The quantization a target implies by default (DESIGN.md section 4): signed symmetric per-output-channel
 * weights of bits per cell × slices bits, and unsigned asymmetric per-tensor activations of the target's
 * activation bits, fed bit-serially through the DACs.
 *
 * @param weights weight scheme (channel axis 0, the output channels of conv2d OIHW and gemm N×K weights)
 * @param activations activation scheme
 * @param inputSteps crossbar steps per input: ceil(activation bits / DAC bits)
 * @param adcLossless whether the ADC reads column sums without clipping
 */
public record QuantDefaults(QuantScheme weights, QuantScheme activations, int inputSteps, boolean adcLossless) {
  /** The defaults of {@code t}. */
  public static QuantDefaults of(Target t) {
    Target.Crossbar x = t.crossbar();
    int weightBits = x.bitsPerCell() * t.weights().slices();
    int actBits = t.activations().bits();
    int steps = (actBits + x.dacBits() - 1) / x.dacBits();
    return new QuantDefaults(QuantScheme.weights(weightBits, 0), QuantScheme.activations(actBits), steps,
        x.adcLossless());
  }
}
