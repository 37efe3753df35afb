/**
 * The CP-SAT segmenter: one OR-Tools model for segment membership (any convex segmentation, not only
 * contiguous runs of one topological order) jointly with one mapping option per operator, linearised exactly
 * as {@link dev.sfd.segmentation.SegmentationModel#evaluate(java.util.List)} scores. OR-Tools types stay
 * inside this package; callers see {@link dev.sfd.segmentation.Segmentation} records.
 */
package dev.sfd.segmentation.cpsat;
