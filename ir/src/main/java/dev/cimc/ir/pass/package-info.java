/**
 * The pass infrastructure: pass definitions with typed options and statistics, the registry, textual
 * pipelines and -O presets, and the pass manager with its instrumentation (IR dumps, timing, statistics).
 */
package dev.cimc.ir.pass;
