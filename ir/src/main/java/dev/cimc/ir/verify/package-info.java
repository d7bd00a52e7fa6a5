/** The IR verifier: structural and type invariants, reported all at once. */
package dev.cimc.ir.verify;
