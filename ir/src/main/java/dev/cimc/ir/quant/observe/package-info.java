/** Streaming range observers (min-max, moving average, percentile, MSE, KL, cross-entropy), per tensor or per channel. */
package dev.cimc.ir.quant.observe;
