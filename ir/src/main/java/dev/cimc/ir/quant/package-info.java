/** Quantization: schemes, ranges, observers and the passes that quantize graphs into the q dialect. */
package dev.cimc.ir.quant;
