package dev.sfd.planner;

import dev.sfd.segmentation.Objective;
import dev.sfd.segmentation.SegmentPricer;
import dev.sfd.segmentation.Segmentation;
import dev.sfd.segmentation.SegmentationModel;
import dev.sfd.segmentation.Segmenter;
import dev.sfd.segmentation.SegmenterSettings;
import dev.sfd.segmentation.cpsat.CpSatSegmenter;
import dev.sfd.segmentation.dp.DpSegmenter;
import dev.sfd.segmentation.dp.SegmentJoins;
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

    /** The priced DP's first limit on a fused segment's tile events ({@link #stagedDp}). */
    static final int FIRST_TASK_LIMIT = 15_000;

    private final SolverChoice choice;
    private final int firstTaskLimit;
    /** The staged DP's rounds ("limit status, ..."), for the run's note; empty when it did not run. */
    private String dpRounds = "";
    /** How the last priced DP's answer was joined ({@link SegmentJoins}), or empty. */
    private String dpJoined = "";
    /** Whether the last priced DP stopped at its work budget. */
    private boolean dpBudgetSpent;
    private final String timefoldConfig;
    private final Optional<SegmentPricer> pricer;
    private final List<SolverRun> runs = new ArrayList<>();

    /**
     * @param pricer prices segments at tile level: for its own objective the DP then solves the priced model and every
     *     other run's answer is priced before the comparison (an answer with a segment that does not fit loses); empty,
     *     or another objective than the pricer's: every run is compared by the additive model
     */
    SegmenterChain(SolverChoice choice, String timefoldConfig, Optional<SegmentPricer> pricer) {
        this(choice, timefoldConfig, pricer, FIRST_TASK_LIMIT);
    }

    /** As above, the priced DP's first round limited to {@code firstTaskLimit} tile events (tests use small ones). */
    SegmenterChain(SolverChoice choice, String timefoldConfig, Optional<SegmentPricer> pricer, int firstTaskLimit) {
        this.firstTaskLimit = firstTaskLimit;
        this.choice = Objects.requireNonNull(choice, "choice");
        this.timefoldConfig = Objects.requireNonNull(timefoldConfig, "timefoldConfig");
        this.pricer = Objects.requireNonNull(pricer, "pricer");
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
        Segmentation dp = pricedFor(objective) ? stagedDp(model, settings)
                : (pricer.isPresent() ? new DpSegmenter(pricer.get()) : new DpSegmenter()).segment(model, settings);
        record(dp, objective, pricedFor(objective)
                ? "exact over the topological order, every segment priced at tile level, fused segments of at most "
                + "N tile events for rising N (" + dpRounds + ")" + dpJoined + "; reference and warm start"
                : "exact over the model's topological order; reference and warm start", dpBudgetSpent);
        Segmentation best = dp;
        // auto: after the priced DP nothing follows (the search solvers' answers, priced, never beat it)
        boolean searchAfterDp = choice == SolverChoice.AUTO && !pricedFor(objective);
        boolean cpsat = choice == SolverChoice.CPSAT
                || (searchAfterDp && n <= SolverChoice.AUTO_CPSAT_MAX_OPERATORS);
        boolean timefold = choice == SolverChoice.TIMEFOLD
                || (searchAfterDp && n > SolverChoice.AUTO_CPSAT_MAX_OPERATORS
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
            LOGGER.debug("auto: no search solver after the DP for ({}) operators ({})", n,
                    searchAfterDp ? "it proved optimal over its order" : "the priced DP");
        }
        return best;
    }

    /**
     * The priced DP by rising segment size: first with fused segments of at most {@link #FIRST_TASK_LIMIT} tile events
     * by default (quick to walk, so the DP converges on most networks in a fraction of its time), then, while a round converges
     * and time is left, with twice the limit, up to the pricer's own; the best answer wins. Each round is exact for
     * its limit (larger limits only add segments), so the answer is OPTIMAL only when the round at the pricer's limit
     * converged, or a round converged without refusing any segment the pricer's own limit would price
     * ({@link SegmentPricer#refusals}: it searched the same space); other rounds' proofs are for a smaller space and
     * are reported as FEASIBLE. The time limit and the
     * work budget ({@link SegmenterSettings#workBudget}) cover all rounds' searches together. Each round's answer is
     * then joined where adjacent segments price lower together ({@link SegmentJoins#join}), outside those limits, and
     * the best joined answer wins.
     */
    private Segmentation stagedDp(SegmentationModel model, SegmenterSettings settings) {
        SegmentPricer p = pricer.get();
        int max = p.taskLimit();
        long start = System.nanoTime();
        long deadline = start + (long) (settings.timeLimitSeconds() * 1e9);
        // the search's work: the pricer's, less the joins' (outside the budget)
        long workStart = p.work();
        long joinWork = 0;
        long joinNanos = 0;
        Segmentation best = null;
        String bestJoined = "";
        Segmentation last = null;
        int limit = Math.min(max, firstTaskLimit);
        StringBuilder rounds = new StringBuilder();
        boolean spent = false;
        try {
            while (true) {
                p.limitTasks(limit);
                double left = (deadline + joinNanos - System.nanoTime()) / 1e9;
                SegmenterSettings round = settings.withTimeLimitSeconds(Math.max(0.05, left));
                long searchWork = p.work() - workStart - joinWork;
                if (settings.workBudget() > 0) {
                    round = round.withWorkBudget(Math.max(1, settings.workBudget() - searchWork));
                }
                long refusedBefore = p.refusals();
                Segmentation s = new DpSegmenter(p).segment(model, round);
                boolean proved = s.status() == Segmentation.Status.OPTIMAL;
                // a converged round that refused nothing the pricer's own limit would price solved the whole problem
                boolean full = limit >= max || proved && p.refusals() == refusedBefore;
                LOGGER.debug("Priced DP with fused segments of at most ({}) tile events: ({}) priced, ({})", limit,
                        s.pricedValue(), s.status());
                last = s;
                rounds.append(rounds.length() == 0 ? "" : ", ").append(limit).append(' ').append(s.status())
                        .append(full && limit < max ? " (no segment over the limit)" : "");
                if (!full && s.feasible()) {
                    // optimal for a smaller space only
                    s = new Segmentation(s.parts(), s.evaluation(), Segmentation.Status.FEASIBLE, Double.NaN,
                            s.solver(), s.wallMillis(), s.pricedValue());
                }
                // each round's answer joined, at the pricer's own limit, outside the budget and the time limit (the
                // search keeps all of both): the best round to join need not be the best searched one (GPT-2 small
                // on edge: the first round's answer joins to 81.8 million cycles, the last round's OPTIMAL 84.2
                // million does not join lower)
                long before = p.work();
                long joinStart = System.nanoTime();
                p.limitTasks(max);
                Segmentation joined = SegmentJoins.join(model, s, p);
                p.limitTasks(limit);
                joinWork += p.work() - before;
                joinNanos += System.nanoTime() - joinStart;
                String note = joined == s ? "" : "; then adjacent segments joined (" + limit + "), "
                        + s.parts().size() + " -> " + joined.parts().size();
                s = joined;
                if (best == null || !best.feasible() || s.feasible() && s.pricedValue() < best.pricedValue()
                        || full && proved && s.feasible() && s.pricedValue() <= best.pricedValue()) {
                    best = s;
                    bestJoined = note;
                }
                spent = settings.workBudget() > 0 && p.work() - workStart - joinWork >= settings.workBudget();
                if (full || !proved || System.nanoTime() >= deadline + joinNanos || spent) {
                    break;
                }
                limit = (int) Math.min(max, 2L * limit);
            }
        } finally {
            p.limitTasks(max);
        }
        long wall = (System.nanoTime() - start) / 1_000_000;
        dpRounds = rounds.toString();
        dpJoined = bestJoined;
        dpBudgetSpent = spent;
        // a round cut by the time limit keeps its gap (so the run reads as stopped at the limit); a converged round
        // below the pricer's limit, or a joined answer whose search converged, has none for the whole space
        double gap = best.status() == Segmentation.Status.OPTIMAL ? 0
                : last.status() != Segmentation.Status.OPTIMAL ? last.gap() : Double.NaN;
        return new Segmentation(best.parts(), best.evaluation(), best.status(), gap, best.solver(), wall,
                best.pricedValue());
    }

    private Optional<Segmentation> run(String solver, java.util.function.Supplier<Segmentation> body,
                                       Objective objective, String why) {
        long start = System.nanoTime();
        try {
            Segmentation s = priced(body.get(), objective);
            record(s, objective, why, false);
            return Optional.of(s);
        } catch (RuntimeException e) {
            // A search solver is an improvement step: its failure must not lose the DP's plan.
            LOGGER.warn("Segmenter ({}) failed; keeping the DP's plan: {}", solver, e.toString());
            LOGGER.debug("segmenter failure", e);
            runs.add(new SolverRun(solver, "ERROR", Double.NaN, (System.nanoTime() - start) / 1_000_000, Double.NaN,
                    0, why + "; failed: " + e.getMessage(), false));
            return Optional.empty();
        }
    }

    /** Whether the pricer prices in {@code objective} (then the DP solves the priced model). */
    private boolean pricedFor(Objective objective) {
        return pricer.isPresent() && pricer.get().objective() == objective;
    }

    /** A search solver's answer with its tile-level price (in the pricer's objective), else unchanged. */
    private Segmentation priced(Segmentation s, Objective objective) {
        if (!pricedFor(objective) || !s.feasible()) {
            return s;
        }
        List<List<Integer>> operators = new ArrayList<>();
        List<List<Integer>> choices = new ArrayList<>();
        for (SegmentationModel.Part p : s.parts()) {
            List<Integer> ops = new ArrayList<>(p.operators());
            List<Integer> ch = new ArrayList<>(p.choices());
            sortByOperator(ops, ch);
            operators.add(ops);
            choices.add(ch);
        }
        double total = 0;
        for (double price : pricer.get().priceAll(operators, choices)) {
            total += price;
        }
        return s.withPricedValue(total);
    }

    private static void sortByOperator(List<Integer> ops, List<Integer> choices) {
        Integer[] idx = new Integer[ops.size()];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        java.util.Arrays.sort(idx, java.util.Comparator.comparingInt(ops::get));
        List<Integer> o = new ArrayList<>();
        List<Integer> c = new ArrayList<>();
        for (int i : idx) {
            o.add(ops.get(i));
            c.add(choices.get(i));
        }
        ops.clear();
        ops.addAll(o);
        choices.clear();
        choices.addAll(c);
    }

    /** The figure two answers are compared by: the priced value when both have one, else the model's score. */
    private static double score(Segmentation s, Objective objective) {
        return s.priced() ? s.pricedValue() : objective.score(s.evaluation());
    }

    private static Segmentation better(Segmentation current, Optional<Segmentation> candidate, Objective objective) {
        if (candidate.isEmpty() || !candidate.get().feasible()
                || candidate.get().priced() && Double.isInfinite(candidate.get().pricedValue())) {
            return current;
        }
        Segmentation c = candidate.get();
        double a = current.priced() && c.priced() ? score(current, objective) : objective.score(current.evaluation());
        double b = current.priced() && c.priced() ? score(c, objective) : objective.score(c.evaluation());
        if (!current.feasible() || b < a) {
            return c;
        }
        // Equal plans: keep the run that proved more (CP-SAT's OPTIMAL covers every convex segmentation).
        return b == a && c.status() == Segmentation.Status.OPTIMAL && current.status() != Segmentation.Status.OPTIMAL
                ? c : current;
    }

    private void record(Segmentation s, Objective objective, String note, boolean stoppedAtWorkBudget) {
        runs.add(new SolverRun(s.solver(), s.status().name(), s.gap(), s.wallMillis(),
                s.feasible() ? score(s, objective) : Double.NaN, s.parts().size(), note, stoppedAtWorkBudget));
        LOGGER.debug("Segmenter ({}) status ({}) gap ({}) segments ({}) in ({} ms)", s.solver(), s.status(), s.gap(),
                s.parts().size(), s.wallMillis());
    }

    private static Segmentation fromTimefold(TimefoldSegmentation t) {
        Segmentation.Status status = t.feasible() ? Segmentation.Status.FEASIBLE : Segmentation.Status.INFEASIBLE;
        return new Segmentation(t.parts(), t.evaluation(), status, Double.NaN, "timefold", t.solveTime().toMillis());
    }
}
