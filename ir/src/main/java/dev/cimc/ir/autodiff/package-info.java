/** Reverse-mode differentiation of graphs as the interpreter runs them: a tape, and vector-Jacobian rules per op. */
package dev.cimc.ir.autodiff;
