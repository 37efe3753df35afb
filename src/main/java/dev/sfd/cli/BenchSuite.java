package dev.sfd.cli;

import dev.sfd.common.Fields;
import dev.sfd.common.InvalidInputException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A benchmark suite ({@code benchmarks/NAME.yaml}, format {@code sfd-suite/1}): networks x hardware x planners and
 * the settings every run uses.
 *
 * @param name suite name
 * @param file where it was read from
 * @param networks zoo names or network files
 * @param hardware presets or hardware files
 * @param planners planner names
 * @param mapper cpsat, exhaustive or heuristic
 * @param solver SFD segmenter
 * @param timeLimit SFD seconds per run (as {@code --time-limit})
 * @param dpBudget tile events SFD's priced DP may walk (0: no budget, only the time limit)
 * @param budget evaluation budget of anneal and genetic
 * @param searchTimeLimit wall-clock limit of anneal and genetic, seconds
 * @param seed seed of every solver and search
 */
record BenchSuite(String name, Path file, List<String> networks, List<String> hardware, List<String> planners,
                  String mapper, String solver, double timeLimit, long dpBudget, long budget, double searchTimeLimit,
                  long seed) {
    static final String FORMAT = "sfd-suite/1";
    private static final Set<String> FIELDS = Set.of("format", "name", "description", "networks", "hardware",
            "planners", "mapper", "solver", "timeLimit", "dpBudget", "budget", "searchTimeLimit", "seed");

    /** {@code suite} is a file path, or the name of {@code benchmarks/SUITE.yaml}. */
    static Path locate(String suite) {
        Path p = Path.of(suite);
        if (Files.isRegularFile(p)) {
            return p;
        }
        Path named = Path.of("benchmarks", suite + ".yaml");
        if (Files.isRegularFile(named)) {
            return named;
        }
        throw new InvalidInputException("SUITE", "has value (" + suite + "); it is neither a file nor a suite in "
                + "benchmarks/ (" + named + " does not exist)");
    }

    /** Reads and checks a suite file; every problem is reported at once (exit 2). */
    static BenchSuite read(Path file) {
        List<String> problems = new ArrayList<>();
        Fields f = Fields.settingsFile(file, "suite", FORMAT, FIELDS, problems);
        String name = f.string("name", file.getFileName().toString().replaceFirst("\\.ya?ml$", ""), false);
        List<String> networks = f.stringList("networks", true);
        List<String> hardware = f.stringList("hardware", true);
        List<String> planners = f.has("planners") ? f.stringList("planners", true) : Comparison.ALL;
        String mapper = f.string("mapper", "heuristic", false);
        if (!List.of("cpsat", "exhaustive", "heuristic").contains(mapper)) {
            f.problem("mapper", "has value (" + mapper + "); mappers are cpsat, exhaustive, heuristic");
        }
        String solver = f.string("solver", "auto", false);
        double timeLimit = f.positiveNumber("timeLimit", 10);
        long dpBudget = f.longValue("dpBudget", 0, false);
        if (dpBudget < 0) {
            f.problem("dpBudget", "has value (" + dpBudget + "); must be 0 (none) or more tile events");
        }
        long budget = f.longValue("budget", 4000, false);
        if (budget < 1) {
            f.problem("budget", "has value (" + budget + "); must be >= 1");
        }
        double searchTimeLimit = f.positiveNumber("searchTimeLimit", 60);
        long seed = f.longValue("seed", 42, false);
        if (f.has("networks") && networks.isEmpty()) {
            f.problem("networks", "is empty; list at least one network");
        }
        if (f.has("hardware") && hardware.isEmpty()) {
            f.problem("hardware", "is empty; list at least one hardware preset or file");
        }
        if (planners != null) {
            for (String p : planners) {
                if (!PlannerRegistry.names().contains(p)) {
                    f.problem("planners", "has unknown planner (" + p + "); planners are " + PlannerRegistry.names());
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidInputException(file.toString(), problems);
        }
        return new BenchSuite(name, file, networks, hardware, planners, mapper, solver, timeLimit, dpBudget, budget,
                searchTimeLimit, seed);
    }
}
