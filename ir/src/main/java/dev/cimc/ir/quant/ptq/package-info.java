/**
 * Post-training quantization on float graphs: weight ranges (min-max, MSE), empirical bias correction,
 * AdaRound and quantizer placement, and {@link dev.cimc.ir.quant.ptq.PtqPipeline}, which chains them with
 * calibration, {@code quantize} and {@code lower-to-integer} and measures the integer graph against float
 * ({@link dev.cimc.ir.quant.ptq.OutputAgreement}, {@link dev.cimc.ir.quant.ptq.EqualizationReport}). Rounding
 * results are {@link dev.cimc.ir.quant.ptq.RoundedWeights}: the integer codes as a quantized-type tensor (ready
 * to be the constant of a quantized graph) and the same weights as floats {@code s·(q − z)}, which quantize
 * back to exactly those codes under the returned parameters; corrected biases are float tensors.
 */
package dev.cimc.ir.quant.ptq;
