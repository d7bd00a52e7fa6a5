/** ONNX models in and out: the importer to graph IR and the exporter back to ONNX (opset 17, QDQ for quantized graphs). */
package dev.cimc.frontend.onnx;
