package dev.sfd.mapping.cpsat;

import dev.sfd.common.Fields;
import dev.sfd.common.InvalidInputException;
import dev.sfd.mapping.MappingSpace;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Settings of the CP-SAT mapper ({@code solver-configs/mapper-cpsat.yaml}).
 *
 * @param workers CP-SAT search workers per solve
 * @param seed CP-SAT random seed
 * @param timeLimitSecondsPerSolve time limit of one solve (a budget takes one weighted solve, or two phases each
 *        with this limit when the latency range is unknown)
 * @param frontBudgets number of budgets (geometric from the smallest footprint to the GLB capacity)
 * @param threads layers solved concurrently by {@code mapNetwork}
 * @param maxTileCandidates tile sizes kept per dim in the mapping space
 * @param paddedTiles whether non-divisor tile sizes (padded edge tiles) are in the space
 * @param logSearch CP-SAT search log (to stdout)
 * @param linearizationLevel CP-SAT {@code linearization_level}: 0 = no LP relaxation (the products and divisions
 *        of this model relax badly, so the LP costs more time per node than it saves in nodes), 1 = CP-SAT's
 *        default, 2 = full
 * @param warmStart whether each budget of a front starts from the next larger budget's solution: hint, and that
 *        solution's latency as a lower bound (a smaller budget can never be faster); exact either way
 * @param tileRelaxation whether each layer first enumerates its tile combinations under an order-free relaxation
 *        of the cost model ({@link TileRelaxation}): a latency lower bound per budget, an incumbent (hint and upper
 *        bound), and a table that drops tile combinations slower than the incumbent whatever their order; exact
 * @param enumerationLimit with the relaxation: tile combinations (with buffering) per budget evaluated exactly, every
 *        legal loop order with the fastest spatial option, fastest relaxed latency first, before CP-SAT is called.
 *        When the enumeration reaches a combination whose relaxed latency exceeds the best latency found (or runs
 *        out of combinations) within this many, every mapping not evaluated is slower than the best, so the best is
 *        the budget's optimum (latency, then DRAM bytes, then footprint) and no solve is needed; otherwise CP-SAT
 *        solves the budget as before. 0 = always CP-SAT. Exact either way, and a count, not a time
 */
public record CpSatSettings(int workers, int seed, double timeLimitSecondsPerSolve, int frontBudgets, int threads,
                            int maxTileCandidates, boolean paddedTiles, boolean logSearch, int linearizationLevel,
                            boolean warmStart, boolean tileRelaxation, int enumerationLimit) {
    public static final String FORMAT = "sfd-mapper-cpsat/1";
    public static final CpSatSettings DEFAULT = new CpSatSettings(1, 7, 5.0, 8, 2, 8, true, false, 0, true, true,
            20_000);
    private static final Set<String> FIELDS = Set.of("format", "workers", "seed", "timeLimitSecondsPerSolve",
            "frontBudgets", "threads", "maxTileCandidates", "paddedTiles", "logSearch", "linearizationLevel",
            "warmStart", "tileRelaxation", "enumerationLimit");

    /** The settings with the search defaults ({@code linearizationLevel} 0, {@code warmStart} and
     *  {@code tileRelaxation} on, the default {@code enumerationLimit}). */
    public CpSatSettings(int workers, int seed, double timeLimitSecondsPerSolve, int frontBudgets, int threads,
                         int maxTileCandidates, boolean paddedTiles, boolean logSearch) {
        this(workers, seed, timeLimitSecondsPerSolve, frontBudgets, threads, maxTileCandidates, paddedTiles,
                logSearch, 0, true, true, DEFAULT.enumerationLimit());
    }

    public MappingSpace.Options spaceOptions() {
        return new MappingSpace.Options(maxTileCandidates, paddedTiles);
    }

    public CpSatSettings withWorkers(int w) {
        return new CpSatSettings(w, seed, timeLimitSecondsPerSolve, frontBudgets, threads, maxTileCandidates,
                paddedTiles, logSearch, linearizationLevel, warmStart, tileRelaxation, enumerationLimit);
    }

    /** The same settings with another {@code enumerationLimit} (0: every budget is solved by CP-SAT). */
    public CpSatSettings withEnumerationLimit(int limit) {
        return new CpSatSettings(workers, seed, timeLimitSecondsPerSolve, frontBudgets, threads, maxTileCandidates,
                paddedTiles, logSearch, linearizationLevel, warmStart, tileRelaxation, limit);
    }

    /** Reads and validates a settings file; every problem names the field, the value and what is valid. */
    public static CpSatSettings read(Path file) {
        List<String> problems = new ArrayList<>();
        Fields f = Fields.settingsFile(file, "mapper settings", FORMAT, FIELDS, problems);
        CpSatSettings d = DEFAULT;
        int workers = f.intInRange("workers", d.workers(), 1, 64);
        int seed = f.intInRange("seed", d.seed(), 0, Integer.MAX_VALUE);
        double limit = f.positiveNumber("timeLimitSecondsPerSolve", d.timeLimitSecondsPerSolve());
        int budgets = f.intInRange("frontBudgets", d.frontBudgets(), 1, 64);
        int threads = f.intInRange("threads", d.threads(), 1, 256);
        int cands = f.intInRange("maxTileCandidates", d.maxTileCandidates(), 2, 64);
        boolean padded = f.bool("paddedTiles", d.paddedTiles());
        boolean log = f.bool("logSearch", d.logSearch());
        int linearization = f.intInRange("linearizationLevel", d.linearizationLevel(), 0, 2);
        boolean warm = f.bool("warmStart", d.warmStart());
        boolean relax = f.bool("tileRelaxation", d.tileRelaxation());
        int enumeration = f.intInRange("enumerationLimit", d.enumerationLimit(), 0, 10_000_000);
        if (!problems.isEmpty()) {
            throw new InvalidInputException(file.toString(), problems);
        }
        return new CpSatSettings(workers, seed, limit, budgets, threads, cands, padded, log, linearization, warm,
                relax, enumeration);
    }
}
