/** Quantization acceptance runs on the trained fixtures: output SQNR and cosine of integer graphs against float. */
package dev.cimc.tests.quant;
