/** Conformance suites: ONNX backend test cases and model-zoo models run through import and the interpreter. */
package dev.cimc.tests.conformance;
