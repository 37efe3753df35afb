package dev.sfd.segmentation;

import java.util.Locale;

/** What a segmenter minimises; every objective reads the same {@link SegmentationModel.Evaluation}. */
public enum Objective {
    LATENCY, ENERGY, DRAM;

    /** The figure this objective minimises ({@code Double.MAX_VALUE} for an illegal solution). */
    public double score(SegmentationModel.Evaluation e) {
        if (!e.legal()) {
            return Double.MAX_VALUE;
        }
        return switch (this) {
            case LATENCY -> e.latencyCycles();
            case ENERGY -> e.energyPj();
            case DRAM -> e.dramBytes();
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
