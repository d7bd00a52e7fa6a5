/** Calibration: streams samples through the interpreter and feeds every float value to its range observer. */
package dev.cimc.ir.quant.calibrate;
