/** Op definitions as data: operands, attribute schemas, inference, kernels, folders; dialects and the registry. */
package dev.cimc.ir.op;
