package dev.sfd.segmentation;

import java.util.Locale;

/** What a segmenter minimises; every objective reads the same {@link SegmentationModel.Evaluation}. */
public enum Objective {
    LATENCY, ENERGY, DRAM;

    /**
     * What the DRAM and energy objectives add per cycle of latency (a byte, a picojoule): of two plans that move the
     * same bytes or spend the same energy the faster wins (else the choice among mappings that fetch their weights
     * once, or among an elementwise operator's tilings, which all spend the same, would fall to the smallest tiles,
     * whose walks are up to a hundred times longer), and a plan's cycles (below 10^9 on any zoo network) add less than
     * one unit.
     */
    public static final double TIE_PER_CYCLE = 1e-9;

    /** The figure this objective minimises ({@code Double.MAX_VALUE} for an illegal solution). */
    public double score(SegmentationModel.Evaluation e) {
        if (!e.legal()) {
            return Double.MAX_VALUE;
        }
        return value(e.latencyCycles(), e.dramBytes(), e.energyPj());
    }

    /**
     * This objective's figure of a plan or segment with these totals: the latency, or the DRAM bytes or energy with
     * the latency breaking ties ({@link #TIE_PER_CYCLE}). The model's evaluation, the additive DP and the tile
     * pricer all score through it.
     */
    public double value(long latencyCycles, long dramBytes, double energyPj) {
        return switch (this) {
            case LATENCY -> latencyCycles;
            case ENERGY -> energyPj + TIE_PER_CYCLE * latencyCycles;
            case DRAM -> dramBytes + TIE_PER_CYCLE * latencyCycles;
        };
    }

    /** Parses {@code latency|energy|dram} (any case). */
    public static Objective parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("objective '" + s + "' is not one of latency, energy, dram", e);
        }
    }
}
