/** Value types: element types, shapes, quantization parameters and tensor types. */
package dev.cimc.ir.type;
