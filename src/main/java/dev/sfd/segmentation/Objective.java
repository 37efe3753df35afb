package dev.sfd.segmentation;

import java.util.Locale;

/** What a segmenter minimises; every objective reads the same {@link SegmentationModel.Evaluation}. */
public enum Objective {
    LATENCY, ENERGY, DRAM;

    /**
     * What the DRAM objective adds per cycle of latency: of two plans that move the same bytes the faster wins (else
     * the choice among mappings that fetch their weights once would fall to the smallest tiles, whose walks are up
     * to a hundred times longer), and a plan's cycles (below 10^9 on any zoo network) add less than a byte.
     */
    public static final double LATENCY_PER_DRAM_BYTE = 1e-9;

    /**
     * Whether the planner's DP prices segments at tile level for this objective ({@link SegmentPricer}: latency and
     * DRAM bytes, each with a bound no price goes below); energy is solved on the additive model.
     */
    public boolean pricedAtTileLevel() {
        return this != ENERGY;
    }

    /** The figure this objective minimises ({@code Double.MAX_VALUE} for an illegal solution). */
    public double score(SegmentationModel.Evaluation e) {
        if (!e.legal()) {
            return Double.MAX_VALUE;
        }
        return switch (this) {
            case LATENCY -> e.latencyCycles();
            case ENERGY -> e.energyPj();
            case DRAM -> e.dramBytes() + LATENCY_PER_DRAM_BYTE * e.latencyCycles();
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
