package dev.sfd.fuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The benchmark fuzz run: {@code FuzzRun FIRST_SEED COUNT [THREADS]} runs seeds FIRST_SEED .. FIRST_SEED+COUNT-1
 * through {@link PlannerFuzz}, prints one line per failing case and a summary (cases, plans and infeasible outcomes
 * per planner, failures, wall time). Exit code 1 when any case failed. Command and results: benchmarks/README.md.
 */
public final class FuzzRun {
    private FuzzRun() {
    }

    public static void main(String[] args) throws Exception {
        long first = Long.parseLong(args[0]);
        int count = Integer.parseInt(args[1]);
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        long start = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<PlannerFuzz.Result>> futures = new ArrayList<>();
        for (long s = first; s < first + count; s++) {
            long seed = s;
            futures.add(pool.submit(() -> PlannerFuzz.run(seed)));
        }
        TreeMap<String, int[]> perPlanner = new TreeMap<>();
        int failed = 0;
        long operators = 0;
        for (int i = 0; i < futures.size(); i++) {
            PlannerFuzz.Result r = futures.get(i).get();
            operators += r.operators();
            for (PlannerFuzz.Outcome o : r.outcomes()) {
                int[] c = perPlanner.computeIfAbsent(o.planner(), k -> new int[3]);
                c[switch (o.kind()) {
                    case "PLAN" -> 0;
                    case "INFEASIBLE" -> 1;
                    default -> 2;
                }]++;
            }
            if (r.failed()) {
                failed++;
                System.out.println("FAIL seed " + r.seed() + " (" + r.network() + ", " + r.operators() + " operators, "
                        + r.hardware() + ", " + r.mapper() + "): " + r.outcomes());
            }
            if ((i + 1) % 500 == 0) {
                System.out.printf(Locale.ROOT, "... %d cases, %d failed, %.0f s%n", i + 1, failed,
                        (System.nanoTime() - start) / 1e9);
            }
        }
        pool.shutdown();
        System.out.printf(Locale.ROOT, "fuzzed %d cases (seeds %d..%d, %d operators in all) in %.1f s with %d "
                + "thread(s); %d failed%n", count, first, first + count - 1, operators, (System.nanoTime() - start) / 1e9,
                threads, failed);
        perPlanner.forEach((p, c) -> System.out.printf(Locale.ROOT,
                "  %-10s %d plans, %d infeasible, %d failed%n", p, c[0], c[1], c[2]));
        System.exit(failed == 0 ? 0 : 1);
    }
}
