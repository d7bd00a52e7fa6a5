/** Dense tensor storage on primitive arrays. */
package dev.cimc.ir.tensor;
