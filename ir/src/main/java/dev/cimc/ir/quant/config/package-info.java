/** Mixed precision per layer: rules matching layers by name or op, and their resolution into a quantization plan. */
package dev.cimc.ir.quant.config;
