package dev.runbook.model;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/**
 * Suggests the closest known name for a misspelt one ("did you mean `needs`?"), and only a name
 * close enough to be the one meant: at most a third of the letters wrong (one for names of up to
 * five letters), a swap of two neighbours counting as one, and never a name that shares almost
 * nothing with the one written ({@code zz} is not a misspelling of {@code a}).
 */
public final class DidYouMean {

    private DidYouMean() {
    }

    public static Optional<String> closest(String wrong, Collection<String> known) {
        String w = wrong.toLowerCase(Locale.ROOT);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : known) {
            String c = candidate.toLowerCase(Locale.ROOT);
            int d = distance(w, c);
            if (d < bestDistance && d < Math.min(w.length(), c.length())) {
                bestDistance = d;
                best = candidate;
            }
        }
        int allowed = Math.max(1, w.length() / 3);
        return bestDistance <= allowed ? Optional.ofNullable(best) : Optional.empty();
    }

    /** "did you mean `x`?" or null, ready for {@link Problem#hint()}. */
    public static String hint(String wrong, Collection<String> known) {
        return closest(wrong, known).map(s -> "did you mean `" + s + "`?").orElse(null);
    }

    /** Edits between two names: a letter added, dropped or changed, or two neighbours swapped (optimal string alignment). */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
