package dev.sfd.segmentation.cpsat;

import dev.sfd.common.OrToolsNatives;
import dev.sfd.segmentation.Objective;
import dev.sfd.segmentation.Segmentation;
import dev.sfd.segmentation.SegmentationModel;
import dev.sfd.segmentation.Segmenter;
import dev.sfd.segmentation.SegmenterSettings;
import dev.sfd.segmentation.dp.DpSegmenter;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Segments with {@link CpSatSegmentationModel}: runs the exact DP first (its plan is the warm start, an
 * objective upper bound and, for large networks, the centre of the banded model), solves, decodes segments in
 * execution order and re-scores them with {@link SegmentationModel#evaluate(List)}. The solver's objective
 * must equal that score; a difference is a bug in the formulation and throws {@link IllegalStateException}.
 *
 * <p><b>Full or banded.</b> Up to {@link CpSatSegmenterSettings#fullModelMaxOperators()} operators the model
 * covers every convex segmentation ({@code n} segment indices per operator, {@code O(n^2)} variables), and
 * OPTIMAL means optimal over all of them. Above it, operator {@code v} may only move within
 * {@link CpSatSegmenterSettings#band()} segments of its DP segment ({@code O(n band)} variables): CP-SAT then
 * polishes the DP plan (re-grouping branches across the DP's cuts) and the status is FEASIBLE with an unknown
 * gap, because the solver's bound holds only inside the band.
 *
 * <p><b>When to use which (the {@code auto} choice).</b> The DP is exact for the topological order and takes
 * seconds up to thousands of operators: always run it first. CP-SAT (full) pays off on branchy graphs up to a
 * few dozen operators (residual blocks, inception-like branches) where a better grouping exists outside the
 * order, and it is the only one of the three that proves optimality over all convex segmentations. Banded
 * CP-SAT is a bounded improvement step for up to a few hundred operators. For chains (every order is the same)
 * and for transformer-sized graphs (hundreds to thousands of operators) prefer the DP, then Timefold.
 */
public final class CpSatSegmenter implements Segmenter {
    private static final Logger LOGGER = LogManager.getLogger();

    private final CpSatSegmenterSettings fileSettings;

    public CpSatSegmenter(CpSatSegmenterSettings fileSettings) {
        this.fileSettings = Objects.requireNonNull(fileSettings, "fileSettings");
    }

    /** Settings from {@code solver-configs/segmenter-cpsat.yaml} when present, else the defaults. */
    public CpSatSegmenter() {
        this(CpSatSegmenterSettings.readDefault());
    }

    @Override
    public String name() {
        return "cpsat";
    }

    @Override
    public Segmentation segment(SegmentationModel model, SegmenterSettings settings) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(settings, "settings");
        long start = System.nanoTime();
        CpSatSegmenterSettings s = fileSettings.overriddenBy(settings);
        Objective objective = settings.objective();
        int n = model.operators().size();
        if (n == 0) {
            return new Segmentation(List.of(), model.evaluate(List.of()), Segmentation.Status.OPTIMAL, 0, name(), 0);
        }
        OrToolsNatives.ensureLoaded();
        boolean needDp = s.warmStart() || n > s.fullModelMaxOperators();
        Optional<Segmentation> dp = needDp ? Optional.of(new DpSegmenter().segment(model, settings)) : Optional.empty();
        Optional<List<SegmentationModel.Part>> reference = dp.filter(Segmentation::feasible).map(Segmentation::parts);
        CpSatSegmentationModel.Domains domains = n > s.fullModelMaxOperators() && reference.isPresent()
                ? CpSatSegmentationModel.Domains.band(n, reference.get(), s.band())
                : CpSatSegmentationModel.Domains.full(n);
        CpSatSegmentationModel cp = new CpSatSegmentationModel(model, objective, domains);
        Optional<Long> warm = s.warmStart() && reference.isPresent()
                ? cp.warmStart(reference.get(), s.seed()) : Optional.empty();
        LOGGER.debug("CP-SAT segmentation model: ({}) operators, ({}) segment indices, full ({}), ({}) variables, "
                        + "({}) constraints, warm start ({})", n, domains.segments(), domains.full(),
                cp.variableCount(), cp.constraintCount(), warm.map(String::valueOf).orElse("none"));
        double remaining = Math.max(0.05, s.timeLimitSeconds() - (System.nanoTime() - start) / 1e9);
        CpSatSegmentationModel.Outcome out = cp.solve(s.workers(), s.seed(), remaining, s.logSearch());
        long wallMillis = (System.nanoTime() - start) / 1_000_000;
        Segmentation result = out.solution().map(sol -> decoded(model, objective, cp, sol, wallMillis))
                .orElseGet(() -> noSolution(out, dp, domains.full(), wallMillis));
        LOGGER.debug("CP-SAT segmented ({}) operators into ({}) segments, status ({}), gap ({}), in ({} ms)",
                n, result.parts().size(), result.status(), result.gap(), result.wallMillis());
        return result;
    }

    private Segmentation decoded(SegmentationModel model, Objective objective, CpSatSegmentationModel cp,
                                 CpSatSegmentationModel.Solution sol, long wallMillis) {
        SegmentationModel.Evaluation ev = model.evaluate(sol.parts());
        if (!ev.legal()) {
            throw new IllegalStateException("CP-SAT plan is illegal under the model: " + ev.problem());
        }
        long units = cp.objectiveUnits(ev, sol.parts());
        if (units != sol.objective()) {
            throw new IllegalStateException("CP-SAT objective (" + sol.objective() + ") differs from the model's "
                    + objective + " (" + units + ") of the decoded plan");
        }
        if (objective == Objective.ENERGY) {
            double pj = (double) sol.objective() / cp.energyScale();
            double tolerance = cp.energyRoundingPj(ev.dramBytes()) + 1e-9 * Math.abs(ev.energyPj()) + 1e-6;
            if (Math.abs(pj - ev.energyPj()) > tolerance) {
                throw new IllegalStateException("CP-SAT energy (" + pj + " pJ) differs from the model's ("
                        + ev.energyPj() + " pJ) by more than rounding (" + tolerance + ")");
            }
        }
        boolean provenOptimal = sol.status() == com.google.ortools.sat.CpSolverStatus.OPTIMAL;
        Segmentation.Status status = provenOptimal && cp.fullSpace()
                ? Segmentation.Status.OPTIMAL : Segmentation.Status.FEASIBLE;
        double gap;
        if (!cp.fullSpace()) {
            gap = Double.NaN; // the solver's bound holds inside the band only
        } else if (provenOptimal || sol.objective() == 0) {
            gap = 0.0;
        } else {
            gap = Math.max(0, (sol.objective() - sol.bound()) / sol.objective());
        }
        return new Segmentation(sol.parts(), ev, status, gap, name(), wallMillis);
    }

    private Segmentation noSolution(CpSatSegmentationModel.Outcome out, Optional<Segmentation> dp, boolean full,
                                    long wallMillis) {
        if (out.status() == com.google.ortools.sat.CpSolverStatus.INFEASIBLE && full) {
            String why = dp.filter(d -> !d.feasible()).map(d -> d.evaluation().problem())
                    .orElse("no convex segmentation fits the buffer");
            return Segmentation.infeasible(name(), why, wallMillis);
        }
        if (dp.isPresent() && dp.get().feasible()) {
            LOGGER.debug("CP-SAT ended with ({}) and no plan; returning the DP's", out.status());
            return new Segmentation(dp.get().parts(), dp.get().evaluation(), Segmentation.Status.FEASIBLE, Double.NaN,
                    name(), wallMillis);
        }
        return Segmentation.infeasible(name(), "CP-SAT found no plan (" + out.status() + ") within the time limit; "
                + "maybe raise timeLimitSeconds", wallMillis);
    }
}
