/**
 * Timefold Solver segmenter for large graphs: operators in an execution (topological) order, a "cut before"
 * Boolean and a mapping-option index per operator, scored by constraint streams. Planning entities stay in this
 * package; {@link dev.sfd.segmentation.timefold.TimefoldSegmenter} returns plain records, and
 * {@link dev.sfd.segmentation.timefold.SegmenterBenchmark} compares solver configs with the Timefold benchmarker.
 */
package dev.sfd.segmentation.timefold;
