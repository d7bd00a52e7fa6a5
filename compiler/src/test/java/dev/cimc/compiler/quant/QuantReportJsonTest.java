package dev.cimc.compiler.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.cimc.ir.quant.report.LayerReport;
import dev.cimc.ir.quant.report.QuantReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JSON form of a report: fixed key order, sorted provenance, non-finite numbers, atomic write. */
class QuantReportJsonTest {
  @TempDir
  Path tmp;

  static QuantReport report() {
    return new QuantReport(3, List.of(
        new LayerReport("c1", "graph.conv2d", "int4 sym per-channel", 4, 0.001, 0.25, "uint8 asym", 8, 0.5, 31.25),
        new LayerReport("r1", "graph.relu", null, null, Double.NaN, Double.NaN, "uint8 asym", 8, 0.5,
            Double.POSITIVE_INFINITY),
        new LayerReport("fc", "graph.gemm", "float", null, Double.NaN, Double.NaN, "float", null, Double.NaN,
            Double.NaN)),
        20.5, 0.99, 0.125, new QuantReport.Accuracy(4, 3, 2, 3));
  }

  @Test
  void layout() {
    String json = QuantReportJson.toJson(report(), Map.of("target", "cim-256x256", "cimc", "0.1.0"));
    assertEquals("""
        {
          "format" : "cimc-quant-report",
          "version" : 1,
          "provenance" : {
            "cimc" : "0.1.0",
            "target" : "cim-256x256"
          },
          "samples" : 3,
          "output" : {
            "sqnr_db" : 20.5,
            "cosine" : 0.99,
            "max_abs_error" : 0.125
          },
          "accuracy" : {
            "rows" : 4,
            "float_correct" : 3,
            "quantized_correct" : 2,
            "agreeing" : 3,
            "float_top1" : 0.75,
            "quantized_top1" : 0.5,
            "agreement" : 0.75
          },
          "layers" : [
            {
              "name" : "c1",
              "op" : "graph.conv2d",
              "weight" : {
                "scheme" : "int4 sym per-channel",
                "bits" : 4,
                "scale_min" : 0.001,
                "scale_max" : 0.25
              },
              "activation" : {
                "scheme" : "uint8 asym",
                "bits" : 8,
                "scale" : 0.5
              },
              "sqnr_db" : 31.25
            },
            {
              "name" : "r1",
              "op" : "graph.relu",
              "weight" : null,
              "activation" : {
                "scheme" : "uint8 asym",
                "bits" : 8,
                "scale" : 0.5
              },
              "sqnr_db" : "inf"
            },
            {
              "name" : "fc",
              "op" : "graph.gemm",
              "weight" : {
                "scheme" : "float"
              },
              "activation" : {
                "scheme" : "float"
              },
              "sqnr_db" : null
            }
          ]
        }
        """, json);
  }

  @Test
  void writesAtomicallyTheSameBytes() throws Exception {
    Path f = tmp.resolve("r.json");
    QuantReport r = new QuantReport(1, List.of(), 10, 1, 0, null);
    QuantReportJson.write(f, r, Map.of());
    assertEquals(QuantReportJson.toJson(r, Map.of()), Files.readString(f));
    assertEquals(true, Files.readString(f).contains("\"accuracy\" : null"));
    try (var s = Files.list(tmp)) {
      assertEquals(List.of(f), s.toList(), "no temporary file left");
    }
    assertFalse(Files.readString(f).contains("\r"));
  }
}
