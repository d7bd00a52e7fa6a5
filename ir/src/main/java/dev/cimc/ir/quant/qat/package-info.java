/** Quantization-aware training: fine-tunes weights and LSQ scales of a fake-quantized graph, yielding a float graph and a plan. */
package dev.cimc.ir.quant.qat;
