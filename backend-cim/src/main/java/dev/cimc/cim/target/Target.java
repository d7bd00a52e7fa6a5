package dev.cimc.cim.target;

import java.util.Map;

/**
 * A compute-in-memory target (DESIGN.md section 5): the chip hierarchy and the number formats of its
 * crossbars, as loaded from JSON by {@link Targets}. The backend extends the component records with its
 * own fields (energies, latencies, memories) as it needs them.
 *
 * @param name preset name or the file's stem
 * @param description one line for people
 * @param chip the hardware hierarchy
 * @param weights how weights are stored in cells
 * @param activations default activation format
 * @param sources where each default comes from: JSON path (e.g. {@code chip.tile.core.crossbar.rows}) → source,
 *     gathered from the {@code "_source"} objects of the document
 * @param fingerprint SHA-256 (hex) of the canonical JSON of the target without its sources, for provenance
 */
public record Target(String name, String description, Chip chip, WeightFormat weights, ActivationFormat activations,
    Map<String, String> sources, String fingerprint) {
  public Target {
    sources = Map.copyOf(sources);
  }

  /** The crossbar every core uses. */
  public Crossbar crossbar() {
    return chip.tile().core().crossbar();
  }

  /** Crossbars on the chip. */
  public long crossbarCount() {
    Core c = chip.tile().core();
    return (long) chip.tilesX() * chip.tilesY() * chip.tile().cores() * c.mvmUnits() * c.crossbarsPerMvmUnit();
  }

  /**
   * The chip: a grid of identical tiles.
   *
   * @param tilesX tiles per row
   * @param tilesY tile rows
   * @param tile the tile
   */
  public record Chip(int tilesX, int tilesY, Tile tile) {}

  /**
   * A tile: cores around a shared buffer and a router.
   *
   * @param cores cores per tile
   * @param sharedBufferBytes shared buffer size
   * @param busBits width of the tile bus
   * @param core the core
   */
  public record Tile(int cores, int sharedBufferBytes, int busBits, Core core) {}

  /**
   * A core: MVM units of crossbars, a vector unit, local memory and registers.
   *
   * @param mvmUnits matrix-vector units per core
   * @param crossbarsPerMvmUnit crossbars per MVM unit
   * @param vectorLanes vector unit lanes
   * @param localMemoryBytes local memory size
   * @param registers registers
   * @param crossbar the crossbar
   */
  public record Core(int mvmUnits, int crossbarsPerMvmUnit, int vectorLanes, int localMemoryBytes, int registers,
      Crossbar crossbar) {}

  /**
   * A crossbar array with its converters.
   *
   * @param rows word lines (inputs)
   * @param cols bit lines (outputs)
   * @param bitsPerCell levels per cell as bits
   * @param rowsActivePerRead rows driven at once (partial sums of row blocks are added digitally)
   * @param dacBits input bits applied per step (1: bit-serial)
   * @param adcBits ADC resolution
   * @param adcsPerCrossbar ADCs shared by the columns
   */
  public record Crossbar(int rows, int cols, int bitsPerCell, int rowsActivePerRead, int dacBits, int adcBits,
      int adcsPerCrossbar) {
    /** Bits an ADC needs to read a column without clipping: ceil(log2(R·(2^c−1)·(2^d−1) + 1)). */
    public int losslessAdcBits() {
      double max = (double) rowsActivePerRead * ((1L << bitsPerCell) - 1) * ((1L << dacBits) - 1);
      int bits = 0;
      while (Math.pow(2, bits) < max + 1) {
        bits++;
      }
      return bits;
    }

    /** Whether the ADC reads every column sum exactly. */
    public boolean adcLossless() {
      return adcBits >= losslessAdcBits();
    }
  }

  /**
   * Weights in cells.
   *
   * @param bits weight bits
   * @param slices cells per weight (bits = bits per cell × slices)
   * @param signedEncoding {@code offset} (one column per slice, weights shifted to unsigned) or
   *     {@code differential} (a column pair per slice)
   */
  public record WeightFormat(int bits, int slices, String signedEncoding) {}

  /**
   * Activations entering crossbars.
   *
   * @param bits default activation bits (inputs take ceil(bits / DAC bits) steps)
   */
  public record ActivationFormat(int bits) {}
}
