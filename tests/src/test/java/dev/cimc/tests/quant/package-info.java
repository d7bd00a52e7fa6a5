/** Quantization acceptance on the trained fixtures: accuracy, SQNR and integer-vs-reference agreement. */
package dev.cimc.tests.quant;
