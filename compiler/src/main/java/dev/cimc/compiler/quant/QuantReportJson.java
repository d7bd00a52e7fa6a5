package dev.cimc.compiler.quant;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import dev.cimc.ir.io.AtomicFile;
import dev.cimc.ir.quant.report.LayerReport;
import dev.cimc.ir.quant.report.QuantReport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a {@link QuantReport} as JSON ({@code --quant-report FILE}): keys in a fixed order, provenance keys
 * sorted, {@code \n} line ends, so the same report gives the same bytes. Non-finite numbers are written as
 * strings ({@code "inf"}) or null (not measured), since JSON has no infinity. Layout:
 *
 * <pre>{@code
 * {"format": "cimc-quant-report", "version": 1, "provenance": {...}, "samples": 32,
 *  "output": {"sqnr_db": 31.2, "cosine": 0.9996, "max_abs_error": 0.012},
 *  "accuracy": {"rows": 256, "float_correct": 250, "quantized_correct": 249, "agreeing": 253,
 *               "float_top1": 0.977, "quantized_top1": 0.973, "agreement": 0.988},   (null without labels)
 *  "layers": [{"name": "...", "op": "graph.conv2d",
 *              "weight": {"scheme": "int4 sym per-channel", "bits": 4, "scale_min": ..., "scale_max": ...},
 *              "activation": {"scheme": "uint8 asym", "bits": 8, "scale": ...},
 *              "sqnr_db": 35.1}, ...]}
 * }</pre>
 *
 * {@code weight} is null for layers without a constant weight; a float layer's weight and activation have
 * scheme {@code "float"} and no bits or scales.
 */
public final class QuantReportJson {
  private QuantReportJson() {}

  /** Writes the report to {@code file} atomically (all or nothing). */
  public static void write(Path file, QuantReport report, Map<String, String> provenance) {
    AtomicFile.write(file, out -> writeTo(out, report, provenance));
  }

  /** The report as JSON text. */
  public static String toJson(QuantReport report, Map<String, String> provenance) {
    var bytes = new ByteArrayOutputStream();
    try {
      writeTo(bytes, report, provenance);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private static void writeTo(OutputStream out, QuantReport r, Map<String, String> provenance) throws IOException {
    var indenter = new DefaultIndenter("  ", "\n");
    var pp = new DefaultPrettyPrinter().withObjectIndenter(indenter).withArrayIndenter(indenter);
    try (JsonGenerator g = new JsonFactory().createGenerator(new NonClosing(out), JsonEncoding.UTF8)) {
      g.setPrettyPrinter(pp);
      g.writeStartObject();
      g.writeStringField("format", "cimc-quant-report");
      g.writeNumberField("version", 1);
      g.writeObjectFieldStart("provenance");
      for (var e : new TreeMap<>(provenance).entrySet()) {
        g.writeStringField(e.getKey(), e.getValue());
      }
      g.writeEndObject();
      g.writeNumberField("samples", r.samples());
      g.writeObjectFieldStart("output");
      number(g, "sqnr_db", r.outputSqnrDb());
      number(g, "cosine", r.cosine());
      number(g, "max_abs_error", r.maxAbsError());
      g.writeEndObject();
      QuantReport.Accuracy a = r.accuracy();
      if (a == null) {
        g.writeNullField("accuracy");
      } else {
        g.writeObjectFieldStart("accuracy");
        g.writeNumberField("rows", a.rows());
        g.writeNumberField("float_correct", a.floatCorrect());
        g.writeNumberField("quantized_correct", a.quantizedCorrect());
        g.writeNumberField("agreeing", a.agreeing());
        number(g, "float_top1", a.floatTop1());
        number(g, "quantized_top1", a.quantizedTop1());
        number(g, "agreement", a.agreement());
        g.writeEndObject();
      }
      g.writeArrayFieldStart("layers");
      for (LayerReport l : r.layers()) {
        g.writeStartObject();
        g.writeStringField("name", l.name());
        g.writeStringField("op", l.op());
        if (l.weightScheme() == null) {
          g.writeNullField("weight");
        } else {
          g.writeObjectFieldStart("weight");
          g.writeStringField("scheme", l.weightScheme());
          if (l.weightBits() != null) {
            g.writeNumberField("bits", l.weightBits());
            number(g, "scale_min", l.weightScaleMin());
            number(g, "scale_max", l.weightScaleMax());
          }
          g.writeEndObject();
        }
        g.writeObjectFieldStart("activation");
        g.writeStringField("scheme", l.activationScheme());
        if (l.activationBits() != null) {
          g.writeNumberField("bits", l.activationBits());
          number(g, "scale", l.outputScale());
        }
        g.writeEndObject();
        number(g, "sqnr_db", l.sqnrDb());
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
      g.writeRaw('\n');
    }
  }

  private static void number(JsonGenerator g, String name, double v) throws IOException {
    if (Double.isNaN(v)) {
      g.writeNullField(name);
    } else if (Double.isInfinite(v)) {
      g.writeStringField(name, v > 0 ? "inf" : "-inf");
    } else {
      g.writeNumberField(name, v);
    }
  }

  /** The generator closes its stream; AtomicFile's body must not. */
  private static final class NonClosing extends java.io.FilterOutputStream {
    NonClosing(OutputStream out) {
      super(out);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }

    @Override
    public void close() throws IOException {
      flush();
    }
  }
}
