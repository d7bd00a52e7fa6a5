/** Fake quantization: the quantize pass that wraps float ops in q.quantize/q.dequantize, and a random-input stand-in for calibration. */
package dev.cimc.ir.quant.fakequant;
