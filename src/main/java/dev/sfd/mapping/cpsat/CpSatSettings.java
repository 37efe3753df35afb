package dev.sfd.mapping.cpsat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.sfd.common.InvalidInputException;
import dev.sfd.mapping.MappingSpace;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
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
 */
public record CpSatSettings(int workers, int seed, double timeLimitSecondsPerSolve, int frontBudgets, int threads,
                            int maxTileCandidates, boolean paddedTiles, boolean logSearch, int linearizationLevel,
                            boolean warmStart, boolean tileRelaxation) {
    public static final String FORMAT = "sfd-mapper-cpsat/1";
    public static final CpSatSettings DEFAULT = new CpSatSettings(1, 7, 5.0, 8, 2, 8, true, false, 0, true, true);
    private static final Set<String> FIELDS = Set.of("format", "workers", "seed", "timeLimitSecondsPerSolve",
            "frontBudgets", "threads", "maxTileCandidates", "paddedTiles", "logSearch", "linearizationLevel",
            "warmStart", "tileRelaxation");

    /** The settings with the search defaults ({@code linearizationLevel} 0, {@code warmStart} and
     *  {@code tileRelaxation} on). */
    public CpSatSettings(int workers, int seed, double timeLimitSecondsPerSolve, int frontBudgets, int threads,
                         int maxTileCandidates, boolean paddedTiles, boolean logSearch) {
        this(workers, seed, timeLimitSecondsPerSolve, frontBudgets, threads, maxTileCandidates, paddedTiles,
                logSearch, 0, true, true);
    }

    public MappingSpace.Options spaceOptions() {
        return new MappingSpace.Options(maxTileCandidates, paddedTiles);
    }

    public CpSatSettings withWorkers(int w) {
        return new CpSatSettings(w, seed, timeLimitSecondsPerSolve, frontBudgets, threads, maxTileCandidates,
                paddedTiles, logSearch, linearizationLevel, warmStart, tileRelaxation);
    }

    /** Reads and validates a settings file; every problem names the field, the value and what is valid. */
    public static CpSatSettings read(Path file) {
        String source = file.toString();
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(file));
        } catch (IOException e) {
            throw new InvalidInputException(source, "cannot be read: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new InvalidInputException(source, "must be a YAML mapping of settings");
        }
        List<String> problems = new ArrayList<>();
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                problems.add("unknown field '" + f + "'; valid fields are " + FIELDS);
            }
        }
        if (!FORMAT.equals(root.path("format").asText())) {
            problems.add("format is '" + root.path("format").asText() + "'; expected '" + FORMAT + "'");
        }
        CpSatSettings d = DEFAULT;
        int workers = intField(root, "workers", d.workers(), 1, 64, problems);
        int seed = intField(root, "seed", d.seed(), 0, Integer.MAX_VALUE, problems);
        double limit = d.timeLimitSecondsPerSolve();
        if (root.has("timeLimitSecondsPerSolve")) {
            JsonNode n = root.get("timeLimitSecondsPerSolve");
            if (!n.isNumber() || n.asDouble() <= 0) {
                problems.add("timeLimitSecondsPerSolve is (" + n + "); it must be a number > 0");
            } else {
                limit = n.asDouble();
            }
        }
        int budgets = intField(root, "frontBudgets", d.frontBudgets(), 1, 64, problems);
        int threads = intField(root, "threads", d.threads(), 1, 256, problems);
        int cands = intField(root, "maxTileCandidates", d.maxTileCandidates(), 2, 64, problems);
        boolean padded = boolField(root, "paddedTiles", d.paddedTiles(), problems);
        boolean log = boolField(root, "logSearch", d.logSearch(), problems);
        int linearization = intField(root, "linearizationLevel", d.linearizationLevel(), 0, 2, problems);
        boolean warm = boolField(root, "warmStart", d.warmStart(), problems);
        boolean relax = boolField(root, "tileRelaxation", d.tileRelaxation(), problems);
        if (!problems.isEmpty()) {
            throw new InvalidInputException(source, problems);
        }
        return new CpSatSettings(workers, seed, limit, budgets, threads, cands, padded, log, linearization, warm,
                relax);
    }

    private static int intField(JsonNode root, String field, int dflt, int min, int max, List<String> problems) {
        if (!root.has(field)) {
            return dflt;
        }
        JsonNode n = root.get(field);
        if (!n.canConvertToInt() || !n.isIntegralNumber() || n.asInt() < min || n.asInt() > max) {
            problems.add(field + " is (" + n + "); it must be an integer in [" + min + ", " + max + "]");
            return dflt;
        }
        return n.asInt();
    }

    private static boolean boolField(JsonNode root, String field, boolean dflt, List<String> problems) {
        if (!root.has(field)) {
            return dflt;
        }
        JsonNode n = root.get(field);
        if (!n.isBoolean()) {
            problems.add(field + " is (" + n + "); it must be true or false");
            return dflt;
        }
        return n.asBoolean();
    }
}
