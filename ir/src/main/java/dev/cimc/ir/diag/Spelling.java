package dev.cimc.ir.diag;

import java.util.Collection;

/** "Did you mean" suggestions: the known name nearest to a misspelt one by edit distance. */
public final class Spelling {
  private Spelling() {}

  /** The closest candidate within a distance of about a third of the word, or null; ties go to the first. */
  public static String closest(String word, Collection<String> candidates) {
    int limit = Math.max(1, (word.length() + 2) / 3);
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String c : candidates) {
      if (Math.abs(c.length() - word.length()) > limit) {
        continue; // the distance is at least the length difference
      }
      int d = distance(word, c);
      if (d <= limit && d < bestDistance) {
        best = c;
        bestDistance = d;
      }
    }
    return best;
  }

  /** {@code did you mean `x`?} for the closest candidate, or null. */
  public static String didYouMean(String word, Collection<String> candidates) {
    String c = closest(word, candidates);
    return c == null ? null : "did you mean `" + c + "`?";
  }

  /** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
  public static int distance(String a, String b) {
    int n = a.length();
    int m = b.length();
    int[][] d = new int[n + 1][m + 1];
    for (int i = 0; i <= n; i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= m; j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= n; i++) {
      for (int j = 1; j <= m; j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        int v = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          v = Math.min(v, d[i - 2][j - 2] + 1);
        }
        d[i][j] = v;
      }
    }
    return d[n][m];
  }
}
