package dev.sfd.planner;

import dev.sfd.common.InvalidInputException;

import java.util.Arrays;
import java.util.Locale;

/**
 * Which segmenter {@code --solver} asks for. Every choice runs the exact DP first (it is cheap and its plan is
 * the reference and warm start); the others then try to improve on it:
 * <ul>
 *   <li>{@code dp}: the DP alone (exact over one topological order, contiguous segments).</li>
 *   <li>{@code cpsat}: CP-SAT over every convex segmentation, warm-started from the DP (full model up to 64
 *       operators, banded around the DP's cuts beyond).</li>
 *   <li>{@code timefold}: Timefold local search warm-started from the DP.</li>
 *   <li>{@code auto}: with the latency objective, the priced DP alone (by rising segment size): CP-SAT and
 *       Timefold search the additive model, and after this DP their priced answers never won (12 network x
 *       hardware pairs, benchmarks/README.md) while they took 3-60 s more. Otherwise (energy, DRAM objectives) DP,
 *       then CP-SAT when the graph has at most {@link #AUTO_CPSAT_MAX_OPERATORS} operators (it can prove optimality
 *       over all convex segmentations there); above that, Timefold only when the DP did not prove its answer
 *       optimal (Timefold searches the same contiguous space, so it cannot beat a proven DP optimum).</li>
 * </ul>
 */
public enum SolverChoice {
    DP, CPSAT, TIMEFOLD, AUTO;

    /** Largest graph {@code auto} hands to CP-SAT (its full model's limit). */
    public static final int AUTO_CPSAT_MAX_OPERATORS = 64;

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code dp|cpsat|timefold|auto} (any case). */
    public static SolverChoice parse(String s) {
        for (SolverChoice c : values()) {
            if (c.cliName().equalsIgnoreCase(s.trim())) {
                return c;
            }
        }
        throw new InvalidInputException("--solver", "has value (" + s + "); solvers are "
                + Arrays.stream(values()).map(SolverChoice::cliName).toList());
    }
}
