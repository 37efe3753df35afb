package dev.sfd.segmentation;

import java.util.List;
import java.util.Objects;

/**
 * A segmenter's answer: segments in execution order with one option per operator, their model figures, and
 * how sure the solver is of it.
 *
 * @param parts segments in execution order
 * @param evaluation the model's scoring of {@code parts} (always by {@link SegmentationModel#evaluate(List)})
 * @param status optimal (for the solver's search space), feasible, or infeasible
 * @param gap relative gap to the solver's best bound (0 when optimal, NaN when unknown)
 * @param solver which solver produced it ("dp", "cpsat", ...)
 * @param wallMillis time spent solving
 * @param pricedValue the objective's value of {@code parts} by a {@link SegmentPricer} (the sum of its segments'
 *     prices: cycles for latency, DRAM bytes for the DRAM objective), or NaN when the segmenter priced nothing
 */
public record Segmentation(List<SegmentationModel.Part> parts, SegmentationModel.Evaluation evaluation, Status status,
                           double gap, String solver, long wallMillis, double pricedValue) {

    /** How the solver judges its answer. */
    public enum Status { OPTIMAL, FEASIBLE, INFEASIBLE }

    /** A segmentation scored by the additive model only. */
    public Segmentation(List<SegmentationModel.Part> parts, SegmentationModel.Evaluation evaluation, Status status,
                        double gap, String solver, long wallMillis) {
        this(parts, evaluation, status, gap, solver, wallMillis, Double.NaN);
    }

    public Segmentation {
        parts = List.copyOf(parts);
        Objects.requireNonNull(evaluation, "evaluation");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(solver, "solver");
    }

    /** No legal segmentation exists (some operator does not fit even alone). */
    public static Segmentation infeasible(String solver, String why, long wallMillis) {
        return new Segmentation(List.of(), new SegmentationModel.Evaluation(List.of(), Long.MAX_VALUE, Long.MAX_VALUE,
                Double.MAX_VALUE, false, why), Status.INFEASIBLE, Double.NaN, solver, wallMillis);
    }

    public boolean priced() {
        return !Double.isNaN(pricedValue);
    }

    /** The same answer with its priced value. */
    public Segmentation withPricedValue(double value) {
        return new Segmentation(parts, evaluation, status, gap, solver, wallMillis, value);
    }

    public boolean feasible() {
        return status != Status.INFEASIBLE && evaluation.legal();
    }

    /** The chosen option of every operator, indexed like the model's operators. */
    public int[] choices(int operatorCount) {
        int[] c = new int[operatorCount];
        for (SegmentationModel.Part p : parts) {
            for (int i = 0; i < p.operators().size(); i++) {
                c[p.operators().get(i)] = p.choices().get(i);
            }
        }
        return c;
    }
}
