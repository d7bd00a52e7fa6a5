/** Quantization files of the compiler: mixed-precision configs (JSON/YAML) in, quantization reports (JSON) out. */
package dev.cimc.compiler.quant;
