/** Graph passes of the -O pipelines: canonicalize, fold constants and batch norms, CSE, DCE, cross-layer equalization, bias absorption, fusion. */
package dev.cimc.ir.transform;
