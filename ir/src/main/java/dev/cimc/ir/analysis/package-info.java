/** Static analyses of graphs that report on a model: parameter and multiply-accumulate counts. */
package dev.cimc.ir.analysis;
