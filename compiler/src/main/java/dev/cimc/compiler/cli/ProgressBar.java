package dev.cimc.compiler.cli;

import java.io.PrintStream;

/** A one-line progress bar on stderr, redrawn in place; silent when nothing is to be done. */
final class ProgressBar {
  private final PrintStream err;
  private final String label;
  private int lastPercent = -1;

  ProgressBar(PrintStream err, String label) {
    this.err = err;
    this.label = label;
  }

  void update(int done, int total) {
    int percent = total == 0 ? 100 : (int) (100L * done / total);
    if (percent == lastPercent) {
      return;
    }
    lastPercent = percent;
    int filled = percent / 5;
    err.print("\r" + label + " [" + "#".repeat(filled) + " ".repeat(20 - filled) + "] " + done + "/" + total);
    err.flush();
  }

  void done() {
    if (lastPercent >= 0) {
      err.println();
    }
  }
}
