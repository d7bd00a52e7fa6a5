/** Quantization reports: per-layer schemes, scales and SQNR against float, output error and accuracy. */
package dev.cimc.ir.quant.report;
