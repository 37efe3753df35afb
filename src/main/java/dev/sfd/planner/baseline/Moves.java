package dev.sfd.planner.baseline;

import java.util.Random;
import java.util.SplittableRandom;

/**
 * The neighbourhood of the search baselines over (cut vector, option per operator), the space the SFD planner's
 * segmenter searches: contiguous segments of the topological order, one mapping option per operator.
 */
final class Moves {
    private Moves() {
    }

    /** Applies one random move in place. */
    static void apply(SplittableRandom rnd, SearchSpace space, boolean[] cut, int[] choices) {
        int n = cut.length;
        if (n < 2) {
            option(rnd, space, choices, rnd.nextInt(n));
            return;
        }
        switch (rnd.nextInt(5)) {
            case 0 -> { // merge two neighbours, shrinking some options of the merged segment so it may fit
                int k = 1 + rnd.nextInt(n - 1);
                if (cut[k]) {
                    cut[k] = false;
                    int from = k - 1;
                    while (!cut[from]) {
                        from--;
                    }
                    int to = k + 1;
                    while (to < n && !cut[to]) {
                        to++;
                    }
                    for (int j = from; j < to; j++) {
                        if (rnd.nextBoolean()) {
                            smaller(rnd, space, choices, j);
                        }
                    }
                } else {
                    cut[k] = true;
                }
            }
            case 1 -> { // split a segment
                int k = 1 + rnd.nextInt(n - 1);
                cut[k] = !cut[k];
            }
            case 2 -> { // shift a segment boundary by up to three operators
                int k = 1 + rnd.nextInt(n - 1);
                if (cut[k]) {
                    int d = (rnd.nextBoolean() ? 1 : -1) * (1 + rnd.nextInt(3));
                    int t = k + d;
                    if (t >= 1 && t < n && !cut[t]) {
                        cut[k] = false;
                        cut[t] = true;
                    }
                }
            }
            case 3 -> option(rnd, space, choices, rnd.nextInt(n));
            default -> { // new options for a whole segment
                int k = rnd.nextInt(n);
                int from = k;
                while (!cut[from]) {
                    from--;
                }
                int to = k + 1;
                while (to < n && !cut[to]) {
                    to++;
                }
                for (int j = from; j < to; j++) {
                    option(rnd, space, choices, j);
                }
            }
        }
    }

    /** A random other option of operator {@code k}. */
    static void option(SplittableRandom rnd, SearchSpace space, int[] choices, int k) {
        int m = space.options(k);
        if (m > 1) {
            int o = rnd.nextInt(m - 1);
            choices[k] = o >= choices[k] ? o + 1 : o;
        }
    }

    /** A random option of operator {@code k} with a footprint no larger than its current one. */
    static void smaller(SplittableRandom rnd, SearchSpace space, int[] choices, int k) {
        long now = space.option(k, choices[k]).bufferBytes();
        int m = space.options(k);
        int[] ok = new int[m];
        int c = 0;
        for (int o = 0; o < m; o++) {
            if (space.option(k, o).bufferBytes() <= now) {
                ok[c++] = o;
            }
        }
        if (c > 0) {
            choices[k] = ok[rnd.nextInt(c)];
        }
    }

    /** Whether every segment of a cut vector is at most {@code maxLength} operators long. */
    static boolean withinLength(boolean[] cut, int maxLength) {
        int run = 0;
        for (boolean c : cut) {
            run = c ? 1 : run + 1;
            if (run > maxLength) {
                return false;
            }
        }
        return true;
    }

    /** A seeded generator (split from {@link Random} so a seed means the same across JDKs). */
    static SplittableRandom random(long seed) {
        return new SplittableRandom(seed);
    }
}
