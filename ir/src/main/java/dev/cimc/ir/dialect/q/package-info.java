/** The q dialect: quantized integer ops with exact integer semantics. */
package dev.cimc.ir.dialect.q;
