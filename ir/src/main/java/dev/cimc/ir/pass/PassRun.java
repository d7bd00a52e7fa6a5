package dev.cimc.ir.pass;

import java.util.Map;

/**
 * What one successful pass run left behind, for instrumentation and reports.
 *
 * @param pass the pass
 * @param index position in the pipeline, from 0
 * @param changed what the pass reported
 * @param statistics its counters, in declaration order
 * @param passNanos wall time of the pass itself
 * @param verifyNanos wall time of the verifier run after it (0 without verify-each)
 */
public record PassRun(Pass pass, int index, boolean changed, Map<String, Long> statistics, long passNanos,
    long verifyNanos) {
  public PassRun {
    statistics = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(statistics));
  }
}
