package dev.sfd.cli;

import dev.sfd.common.InvalidInputException;
import dev.sfd.planner.SfdPlanner;
import dev.sfd.planner.SolverChoice;
import dev.sfd.planner.baseline.BaselineSettings;
import picocli.CommandLine.Option;

import java.util.List;

/** Planner options shared by {@code compare}, {@code bench} and {@code sweep}. */
final class CompareArgs {
    @Option(names = "--planners", paramLabel = "LIST",
            description = "Comma-separated planners (default: sfd,layerwise,layerwise-fused,template,greedy,anneal,"
                    + "genetic).")
    String planners;

    @Option(names = "--solver", defaultValue = "auto", paramLabel = "SOLVER",
            description = "SFD segmenter: dp, cpsat, timefold or auto (default ${DEFAULT-VALUE}).")
    String solver;

    @Option(names = "--time-limit", defaultValue = "10", paramLabel = "S",
            description = "SFD: seconds for its run; its segmenter's search stops when mapping and the search "
                    + "have used 80 %% of them (at least 25 %%), as in optimize (default ${DEFAULT-VALUE}).")
    double timeLimit;

    @Option(names = "--dp-budget", defaultValue = "0", paramLabel = "EVENTS",
            description = "SFD: tile events its priced DP may walk before it stops as at --time-limit, so that its "
                    + "plan does not depend on the machine's speed (default ${DEFAULT-VALUE}: none).")
    long dpBudget;

    @Option(names = "--budget", defaultValue = "4000", paramLabel = "N",
            description = "anneal, genetic: candidate solutions scored at most (default ${DEFAULT-VALUE}).")
    long budget;

    @Option(names = "--search-time-limit", defaultValue = "60", paramLabel = "S",
            description = "anneal, genetic: wall-clock limit in seconds (default ${DEFAULT-VALUE}).")
    double searchTimeLimit;

    @Option(names = "--seed", defaultValue = "42", paramLabel = "N",
            description = "Seed of the SFD solvers and the search baselines (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--no-progress", description = "No progress bar on stderr.")
    boolean noProgress;

    /** The planner list, checked (exit 2 on an unknown name). */
    List<String> planners() {
        return planners == null ? Comparison.ALL : Comparison.parsePlanners(planners);
    }

    /** Checks the numeric options and builds the comparison settings. */
    Comparison.Settings settings(List<String> plannerNames, int mapperThreads, boolean recordSpans) {
        if (!(timeLimit > 0)) {
            throw new InvalidInputException("--time-limit", "has value (" + timeLimit + "); must be > 0 seconds");
        }
        if (dpBudget < 0) {
            throw new InvalidInputException("--dp-budget", "has value (" + dpBudget + "); must be 0 (none) or more");
        }
        if (budget < 1) {
            throw new InvalidInputException("--budget", "has value (" + budget + "); must be >= 1");
        }
        if (!(searchTimeLimit > 0)) {
            throw new InvalidInputException("--search-time-limit", "has value (" + searchTimeLimit
                    + "); must be > 0 seconds");
        }
        SfdPlanner.Options sfd = SfdPlanner.Options.defaults().withSolver(SolverChoice.parse(solver))
                .withTimeLimitSeconds(timeLimit).withThreads(mapperThreads);
        sfd = new SfdPlanner.Options(sfd.solver(), sfd.objective(), sfd.timeLimitSeconds(), sfd.threads(), seed,
                sfd.timefoldConfig(), sfd.maxFusedTasks(), dpBudget);
        BaselineSettings b = BaselineSettings.defaults().withEvaluations(budget).withTimeLimitSeconds(searchTimeLimit)
                .withSeed(seed).withMapperThreads(mapperThreads);
        return new Comparison.Settings(plannerNames, sfd, b, recordSpans);
    }
}
