/** ONNX in and out: the importer (protobufs to graph IR), the exporter (graph IR and QDQ to opset 17), ONNX tensor files. */
package dev.cimc.frontend.onnx;
