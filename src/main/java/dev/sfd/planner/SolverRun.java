package dev.sfd.planner;

import java.util.Objects;

/**
 * One segmenter run of the SFD planner, as reported in {@code report.json} ({@code solver.runs}).
 *
 * @param solver "dp", "cpsat" or "timefold"
 * @param status OPTIMAL, FEASIBLE, INFEASIBLE or ERROR
 * @param gap relative gap to the solver's bound (0 when optimal, NaN when the solver knows none)
 * @param wallMillis time the run took
 * @param objective the model's objective value of its plan (NaN when it has none)
 * @param segments number of segments of its plan (0 when it has none)
 * @param note why it ran, or what went wrong
 * @param stoppedAtWorkBudget whether a priced DP stopped at its work budget ({@code --dp-budget}); then its answer
 *     does not depend on the machine's speed
 */
public record SolverRun(String solver, String status, double gap, long wallMillis, double objective, int segments,
                        String note, boolean stoppedAtWorkBudget) {
    public SolverRun {
        Objects.requireNonNull(solver, "solver");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(note, "note");
    }
}
