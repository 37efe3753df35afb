package dev.sfd.planner;

import dev.sfd.segmentation.Objective;
import dev.sfd.segmentation.Segmentation;
import dev.sfd.segmentation.SegmentationModel;
import dev.sfd.segmentation.Segmenter;
import dev.sfd.segmentation.SegmenterSettings;
import dev.sfd.segmentation.cpsat.CpSatSegmenter;
import dev.sfd.segmentation.dp.DpSegmenter;
import dev.sfd.segmentation.timefold.TimefoldSegmentation;
import dev.sfd.segmentation.timefold.TimefoldSegmenter;
import dev.sfd.segmentation.timefold.TimefoldSettings;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The segmenter behind {@code --solver}: the exact DP first, then (per {@link SolverChoice}) CP-SAT or Timefold
 * warm-started from it; the best plan under the objective wins (ties keep the later run when it proved more).
 * Every run is recorded in {@link #runs()} for the report. One instance per planning call.
 */
final class SegmenterChain implements Segmenter {
    private static final Logger LOGGER = LogManager.getLogger();

    private final SolverChoice choice;
    private final String timefoldConfig;
    private final List<SolverRun> runs = new ArrayList<>();

    SegmenterChain(SolverChoice choice, String timefoldConfig) {
        this.choice = Objects.requireNonNull(choice, "choice");
        this.timefoldConfig = Objects.requireNonNull(timefoldConfig, "timefoldConfig");
    }

    @Override
    public String name() {
        return choice.cliName();
    }

    List<SolverRun> runs() {
        return List.copyOf(runs);
    }

    @Override
    public Segmentation segment(SegmentationModel model, SegmenterSettings settings) {
        Objective objective = settings.objective();
        int n = model.operators().size();
        Segmentation dp = new DpSegmenter().segment(model, settings);
        record(dp, objective, "exact over the model's topological order; reference and warm start");
        Segmentation best = dp;
        boolean cpsat = choice == SolverChoice.CPSAT
                || (choice == SolverChoice.AUTO && n <= SolverChoice.AUTO_CPSAT_MAX_OPERATORS);
        boolean timefold = choice == SolverChoice.TIMEFOLD
                || (choice == SolverChoice.AUTO && n > SolverChoice.AUTO_CPSAT_MAX_OPERATORS
                && dp.status() != Segmentation.Status.OPTIMAL);
        if (cpsat) {
            String why = choice == SolverChoice.AUTO ? "auto: " + n + " operators <= "
                    + SolverChoice.AUTO_CPSAT_MAX_OPERATORS + ", searches every convex segmentation" : "requested";
            best = better(best, run("cpsat", () -> new CpSatSegmenter().segment(model, settings), objective, why),
                    objective);
        }
        if (timefold) {
            String why = choice == SolverChoice.AUTO ? "auto: " + n + " operators and the DP did not prove optimality"
                    : "requested; warm-started from the DP";
            Optional<List<SegmentationModel.Part>> warm = dp.feasible() ? Optional.of(dp.parts()) : Optional.empty();
            TimefoldSettings tf = TimefoldSettings.of(timefoldConfig).withSeed(settings.seed())
                    .withTimeLimit(Duration.ofMillis(Math.max(100, (long) (settings.timeLimitSeconds() * 1000))));
            best = better(best, run("timefold", () -> fromTimefold(TimefoldSegmenter.solve(model, tf, warm)),
                    objective, why), objective);
        }
        if (choice == SolverChoice.AUTO && !cpsat && !timefold) {
            LOGGER.debug("auto: DP proved optimal over its order for ({}) operators; no search solver run", n);
        }
        return best;
    }

    private Optional<Segmentation> run(String solver, java.util.function.Supplier<Segmentation> body,
                                       Objective objective, String why) {
        long start = System.nanoTime();
        try {
            Segmentation s = body.get();
            record(s, objective, why);
            return Optional.of(s);
        } catch (RuntimeException e) {
            // A search solver is an improvement step: its failure must not lose the DP's plan.
            LOGGER.warn("Segmenter ({}) failed; keeping the DP's plan: {}", solver, e.toString());
            LOGGER.debug("segmenter failure", e);
            runs.add(new SolverRun(solver, "ERROR", Double.NaN, (System.nanoTime() - start) / 1_000_000, Double.NaN,
                    0, why + "; failed: " + e.getMessage()));
            return Optional.empty();
        }
    }

    private static Segmentation better(Segmentation current, Optional<Segmentation> candidate, Objective objective) {
        if (candidate.isEmpty() || !candidate.get().feasible()) {
            return current;
        }
        Segmentation c = candidate.get();
        double a = objective.score(current.evaluation());
        double b = objective.score(c.evaluation());
        if (!current.feasible() || b < a) {
            return c;
        }
        // Equal plans: keep the run that proved more (CP-SAT's OPTIMAL covers every convex segmentation).
        return b == a && c.status() == Segmentation.Status.OPTIMAL && current.status() != Segmentation.Status.OPTIMAL
                ? c : current;
    }

    private void record(Segmentation s, Objective objective, String note) {
        runs.add(new SolverRun(s.solver(), s.status().name(), s.gap(), s.wallMillis(),
                s.feasible() ? objective.score(s.evaluation()) : Double.NaN, s.parts().size(), note));
        LOGGER.debug("Segmenter ({}) status ({}) gap ({}) segments ({}) in ({} ms)", s.solver(), s.status(), s.gap(),
                s.parts().size(), s.wallMillis());
    }

    private static Segmentation fromTimefold(TimefoldSegmentation t) {
        Segmentation.Status status = t.feasible() ? Segmentation.Status.FEASIBLE : Segmentation.Status.INFEASIBLE;
        return new Segmentation(t.parts(), t.evaluation(), status, Double.NaN, "timefold", t.solveTime().toMillis());
    }
}
