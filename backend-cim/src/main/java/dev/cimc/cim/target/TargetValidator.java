package dev.cimc.cim.target;

import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.diag.Location;

/** The rules a target must satisfy beyond its JSON shape; the first broken rule is reported with its field path. */
final class TargetValidator {
  private TargetValidator() {}

  static void check(Targets.Document d, String file) {
    var v = new Check(file);
    Target.Chip chip = d.chip();
    v.atLeast("chip.tiles_x", chip.tilesX(), 1);
    v.atLeast("chip.tiles_y", chip.tilesY(), 1);
    Target.Tile tile = chip.tile();
    v.atLeast("chip.tile.cores", tile.cores(), 1);
    v.atLeast("chip.tile.shared_buffer_bytes", tile.sharedBufferBytes(), 1);
    v.atLeast("chip.tile.bus_bits", tile.busBits(), 1);
    Target.Core core = tile.core();
    v.atLeast("chip.tile.core.mvm_units", core.mvmUnits(), 1);
    v.atLeast("chip.tile.core.crossbars_per_mvm_unit", core.crossbarsPerMvmUnit(), 1);
    v.atLeast("chip.tile.core.vector_lanes", core.vectorLanes(), 1);
    v.atLeast("chip.tile.core.local_memory_bytes", core.localMemoryBytes(), 1);
    v.atLeast("chip.tile.core.registers", core.registers(), 1);
    Target.Crossbar x = core.crossbar();
    String p = "chip.tile.core.crossbar.";
    v.atLeast(p + "rows", x.rows(), 1);
    v.atLeast(p + "cols", x.cols(), 1);
    v.between(p + "bits_per_cell", x.bitsPerCell(), 1, 8);
    v.between(p + "dac_bits", x.dacBits(), 1, 8);
    v.between(p + "adc_bits", x.adcBits(), 1, 16);
    v.atLeast(p + "adcs_per_crossbar", x.adcsPerCrossbar(), 1);
    if (x.rowsActivePerRead() < 1 || x.rowsActivePerRead() > x.rows()) {
      v.fail(p + "rows_active_per_read must be between 1 and the crossbar rows (" + x.rows() + "), got "
          + x.rowsActivePerRead(), null);
    }
    if (x.adcsPerCrossbar() > x.cols()) {
      v.fail(p + "adcs_per_crossbar must be at most the crossbar columns (" + x.cols() + "), got "
          + x.adcsPerCrossbar(), null);
    }
    Target.WeightFormat w = d.weights();
    v.between("weights.bits", w.bits(), 2, 8);
    v.atLeast("weights.slices", w.slices(), 1);
    if (x.bitsPerCell() * w.slices() != w.bits()) {
      v.fail("weights.bits must equal chip.tile.core.crossbar.bits_per_cell × weights.slices ("
          + x.bitsPerCell() + " × " + w.slices() + " = " + x.bitsPerCell() * w.slices() + "), got " + w.bits(),
          "a weight is stored as slices of bits_per_cell bits");
    }
    if (!"offset".equals(w.signedEncoding()) && !"differential".equals(w.signedEncoding())) {
      v.fail("weights.signed_encoding must be \"offset\" or \"differential\", got "
          + (w.signedEncoding() == null ? "null" : "\"" + w.signedEncoding() + "\""), null);
    }
    int columnsPerWeight = w.slices() * ("differential".equals(w.signedEncoding()) ? 2 : 1);
    if (columnsPerWeight > x.cols()) {
      v.fail("a weight needs " + columnsPerWeight + " columns, more than chip.tile.core.crossbar.cols ("
          + x.cols() + ")", null);
    }
    v.between("activations.bits", d.activations().bits(), 2, 8);
  }

  private record Check(String file) {
    void atLeast(String field, int value, int min) {
      if (value < min) {
        fail(field + " must be at least " + min + ", got " + value, null);
      }
    }

    void between(String field, int value, int lo, int hi) {
      if (value < lo || value > hi) {
        fail(field + " must be between " + lo + " and " + hi + ", got " + value, null);
      }
    }

    void fail(String message, String hint) {
      throw new CimcException(Location.file(file), "invalid target: " + message, hint);
    }
  }
}
