package dev.sfd.segmentation;

/** Cuts a {@link SegmentationModel} into segments and picks one option per operator. */
public interface Segmenter {
    /** Short name used on the command line and in reports ("dp", "cpsat", "timefold"). */
    String name();

    /** Solves the model; never returns null (an infeasible model gives {@link Segmentation#infeasible}). */
    Segmentation segment(SegmentationModel model, SegmenterSettings settings);
}
