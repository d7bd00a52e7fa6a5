/** The ONNX importer: model protobufs to graph IR, ONNX tensor files, and the op-by-op lowering table. */
package dev.cimc.frontend.onnx;
