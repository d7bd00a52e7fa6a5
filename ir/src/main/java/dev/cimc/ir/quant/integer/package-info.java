/** Integer-only lowering: turns dequantize → float op → quantize patterns into the integer ops of the q dialect. */
package dev.cimc.ir.quant.integer;
