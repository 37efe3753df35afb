package dev.sfd.cli;

import dev.sfd.common.AtomicFiles;
import dev.sfd.common.InvalidInputException;
import dev.sfd.hardware.Hardware;
import dev.sfd.hardware.HardwareCatalog;
import dev.sfd.mapping.Mapper;
import dev.sfd.mapping.MappingInfeasibleException;
import dev.sfd.mapping.cpsat.CpSatSettings;
import dev.sfd.planner.PlanRequest;
import dev.sfd.planner.ProgressListener;
import dev.sfd.report.Charts;
import dev.sfd.report.ComparisonRow;
import dev.sfd.report.ComparisonWriter;
import dev.sfd.schedule.NetworkRef;
import dev.sfd.workload.Network;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code sfd bench SUITE [--out DIR]}: runs a benchmark suite ({@link BenchSuite}: networks x hardware x planners,
 * each problem as {@code compare} runs it) and writes {@code results.md}, {@code results.csv}, {@code results.json}
 * with geometric means per planner, and charts. Results are rewritten after every problem, so a suite stopped
 * halfway leaves the finished problems. Exit 0 when every planner planned every problem with zero violations, 1
 * otherwise, 2 on a bad suite file.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Run a benchmark suite (benchmarks/SUITE.yaml or a file): every network x hardware x planner; "
                + "Markdown, CSV, JSON with geometric means, charts.")
public final class BenchCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SUITE", description = "Suite name in benchmarks/ (quick, full) or a file.")
    String suite;

    @Option(names = "--out", paramLabel = "DIR", description = "Output folder (default bench-SUITE).")
    Path out;

    @Option(names = "--no-progress", description = "No progress bar on stderr.")
    boolean noProgress;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            BenchSuite s = BenchSuite.read(BenchSuite.locate(suite));
            Path dir = out != null ? out : Path.of("bench-" + s.name());
            MapperArgs ma = new MapperArgs();
            ma.mapperName = s.mapper();
            CpSatSettings ms = ma.settings();
            Mapper mapper = ma.mapper(ms);
            int threads = ma.threads(ms);
            CompareArgs ca = new CompareArgs();
            ca.solver = s.solver();
            ca.timeLimit = s.timeLimit();
            ca.dpBudget = s.dpBudget();
            ca.budget = s.budget();
            ca.searchTimeLimit = s.searchTimeLimit();
            ca.seed = s.seed();
            Comparison.Settings settings = ca.settings(s.planners(), threads, false);
            // resolve everything first, so a typo fails before hours of runs
            List<Hardware> hws = new ArrayList<>();
            for (String h : s.hardware()) {
                hws.add(HardwareCatalog.resolve(h));
            }
            List<Network> nets = new ArrayList<>();
            List<NetworkRef> refs = new ArrayList<>();
            for (String n : s.networks()) {
                NetworkArgs na = new NetworkArgs();
                na.network = n;
                na.unsupported = "error";
                Network net = na.load().network();
                nets.add(net);
                refs.add(na.ref(net));
            }
            List<ComparisonRow> rows = new ArrayList<>();
            boolean ok = true;
            int done = 0;
            int total = hws.size() * nets.size();
            long start = System.nanoTime();
            for (Hardware hw : hws) {
                for (int ni = 0; ni < nets.size(); ni++) {
                    Network net = nets.get(ni);
                    long t = System.nanoTime();
                    PlanRequest request = new PlanRequest(net, refs.get(ni), hw);
                    ProgressListener progress = ConsoleProgress.forTerminal(noProgress);
                    try {
                        Comparison.Outcome o = Comparison.run(request, mapper, threads, settings, progress);
                        rows.addAll(CompareCommand.toRows(o));
                        ok &= o.allLegal();
                        for (Comparison.Entry e : o.entries()) {
                            if (!e.ok()) {
                                err.println(net.name() + " on " + hw.name() + ": planner " + e.planner()
                                        + " failed: " + e.error());
                            } else if (e.violations() > 0) {
                                err.println(net.name() + " on " + hw.name() + ": planner " + e.planner()
                                        + ": " + e.violations() + " violations, first: " + e.sim().violations().get(0));
                            }
                        }
                    } catch (MappingInfeasibleException e) {
                        ok = false;
                        err.println(net.name() + " on " + hw.name() + ": infeasible: " + e.getMessage());
                    } finally {
                        if (progress instanceof ConsoleProgress c) {
                            c.close();
                        }
                    }
                    done++;
                    stdout.printf(Locale.ROOT, "[%d/%d] %s on %s: %.1f s%n", done, total, net.name(),
                            hw.name(), (System.nanoTime() - t) / 1e9);
                    stdout.flush();
                    write(dir, s, rows, (System.nanoTime() - start) / 1e9);
                }
            }
            stdout.print(geomeanTable(rows));
            stdout.printf(Locale.ROOT, "suite %s: %d problems x %d planners in %.1f s; wrote %s%n", s.name(), total,
                    s.planners().size(), (System.nanoTime() - start) / 1e9, dir.resolve("results.md"));
            stdout.flush();
            err.flush();
            return ok ? 0 : 1;
        } catch (InvalidInputException e) {
            err.println("error: " + e.getMessage());
            err.flush();
            return 2;
        }
    }

    /** Geometric means per planner over the problems: SFD's speedup, bound ratio, optimizer seconds. */
    static String geomeanTable(List<ComparisonRow> rows) {
        Map<String, Double> speedup = ComparisonWriter.geomeanBy(rows, ComparisonRow::sfdSpeedup);
        Map<String, Double> bound = ComparisonWriter.geomeanBy(rows, ComparisonRow::boundRatio);
        Map<String, Double> seconds = ComparisonWriter.geomeanBy(rows, ComparisonRow::optimizerSeconds);
        Map<String, int[]> counts = new LinkedHashMap<>();
        for (ComparisonRow r : rows) {
            int[] c = counts.computeIfAbsent(r.planner(), k -> new int[3]);
            c[0]++;
            c[1] += r.violations();
            c[2] += r.failed() ? 1 : 0;
        }
        List<List<String>> out = new ArrayList<>();
        for (Map.Entry<String, int[]> e : counts.entrySet()) {
            String p = e.getKey();
            out.add(List.of(p, String.valueOf(e.getValue()[0]), Comparison.fmt(speedup.getOrDefault(p, Double.NaN),
                    "%.2fx"), Comparison.fmt(bound.getOrDefault(p, Double.NaN), "%.2f"),
                    Comparison.fmt(seconds.getOrDefault(p, Double.NaN), "%.1f"), String.valueOf(e.getValue()[1]),
                    String.valueOf(e.getValue()[2])));
        }
        return ComparisonWriter.markdown(List.of("planner", "problems", "SFD speedup (geomean)",
                "latency / bound (geomean)", "optimizer s (geomean)", "violations", "failed"), out);
    }

    /** The per-problem rows as Markdown. */
    static String problemTable(List<ComparisonRow> rows) {
        List<List<String>> out = new ArrayList<>();
        for (ComparisonRow r : rows) {
            out.add(List.of(r.network(), r.hardware(), r.planner(),
                    r.failed() ? "-" : String.format(Locale.ROOT, "%,d", r.latencyCycles()),
                    Comparison.fmt(r.boundRatio(), "%.2f"), Comparison.fmt(r.sfdSpeedup(), "%.2fx"),
                    r.failed() ? "-" : String.format(Locale.ROOT, "%,d", r.dramBytes()),
                    Comparison.fmt(r.energyPj() / 1e6, "%.1f"),
                    String.format(Locale.ROOT, "%,d", r.peakBufferBytes()), String.valueOf(r.segments()),
                    String.format(Locale.ROOT, "%.1f", r.optimizerSeconds()), String.valueOf(r.violations()),
                    r.failed() ? "FAILED: " + r.error() : r.status()
                            + (r.stop().isEmpty() ? "" : " (" + r.evaluations() + " evals, " + r.stop() + ")")));
        }
        return ComparisonWriter.markdown(List.of("network", "hardware", "planner", "latency cycles", "latency / bound",
                "SFD speedup", "DRAM bytes", "energy uJ", "peak GLB bytes", "segments", "optimizer s", "violations",
                "status"), out);
    }

    static void write(Path dir, BenchSuite s, List<ComparisonRow> rows, double seconds) {
        AtomicFiles.writeString(dir.resolve("results.csv"), ComparisonWriter.csv(rows));
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("suite", s.name());
        header.put("networks", s.networks());
        header.put("hardware", s.hardware());
        header.put("planners", s.planners());
        header.put("mapper", s.mapper());
        header.put("solver", s.solver());
        header.put("timeLimit", s.timeLimit());
        header.put("dpBudget", s.dpBudget());
        header.put("budget", s.budget());
        header.put("searchTimeLimit", s.searchTimeLimit());
        header.put("seed", s.seed());
        header.put("wallSeconds", seconds);
        AtomicFiles.write(dir.resolve("results.json"), ComparisonWriter.json("sfd-bench/1", header, rows));
        String md = "# Benchmark suite `" + s.name() + "`\n\n"
                + String.format(Locale.ROOT, "Suite file `%s`; mapper %s, SFD solver %s (time limit %s s%s), anneal "
                        + "and genetic: budget %d evaluations, %s s, seed %d. Wall time %.1f s.%n%n", s.file(),
                s.mapper(), s.solver(), s.timeLimit(), s.dpBudget() > 0 ? ", DP budget " + s.dpBudget()
                        + " tile events" : "", s.budget(), s.searchTimeLimit(), s.seed(), seconds)
                + "## Geometric means over the problems\n\n" + geomeanTable(rows)
                + "\n`SFD speedup` is the planner's simulated latency over SFD's (above 1: SFD is faster).\n\n"
                + "## Per problem\n\n" + problemTable(rows);
        AtomicFiles.writeString(dir.resolve("results.md"), md);
        Map<String, Double> speedup = new LinkedHashMap<>(ComparisonWriter.geomeanBy(rows, ComparisonRow::sfdSpeedup));
        speedup.values().removeIf(v -> !Double.isFinite(v));
        AtomicFiles.write(dir.resolve("speedup.png"), Charts.bars("SFD speedup over each planner (suite " + s.name()
                        + ")", "geometric mean over " + rows.stream().map(r -> r.network() + "/" + r.hardware())
                        .distinct().count() + " problems of the planner's latency / SFD's", "speedup", speedup, 1.0,
                "1x"));
        Map<String, Map<String, Double>> bound = new LinkedHashMap<>();
        for (ComparisonRow r : rows) {
            if (!r.failed()) {
                bound.computeIfAbsent(r.planner(), k -> new LinkedHashMap<>())
                        .put(r.network() + "/" + r.hardware(), r.boundRatio());
            }
        }
        AtomicFiles.write(dir.resolve("bound-ratio.png"), Charts.groupedBars("Latency over the lower bound (suite "
                + s.name() + ")", "per problem and planner; 1 = the bound", "latency / bound", bound, 1.0, "bound"));
        Map<String, Double> time = new LinkedHashMap<>(ComparisonWriter.geomeanBy(rows,
                ComparisonRow::optimizerSeconds));
        AtomicFiles.write(dir.resolve("optimizer-time.png"), Charts.bars("Optimizer time per planner (suite "
                + s.name() + ")", "geometric mean over the problems, mapping excluded", "seconds", time, null, null));
    }
}
