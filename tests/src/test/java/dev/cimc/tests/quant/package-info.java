/** Quantization on the trained fixtures: the integer interpreter against ONNX Runtime, transformer accuracy. */
package dev.cimc.tests.quant;
