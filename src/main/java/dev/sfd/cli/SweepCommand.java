package dev.sfd.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code sfd sweep NETWORK --hw HW --glb 128KiB..8MiB --dram-gbps 8..128 [--planners ...]}: latency, energy and DRAM
 * bytes over global-buffer sizes x DRAM bandwidths (every other figure of the hardware as given). Each point (one
 * buffer size and bandwidth: map, plan with every planner, simulate) runs as {@code compare} does; points run in
 * parallel ({@code --jobs}). Each finished point is written atomically to {@code DIR/points/}; a restarted sweep reads
 * back the points whose settings match and computes only the rest. Writes {@code sweep.csv}, {@code sweep.json} and
 * line charts {@code latency.png}, {@code energy.png}, {@code dram.png}. Exit 0 when every plan simulated without
 * violations, 1 otherwise, 2 on bad input.
 */
@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = "Latency, energy and DRAM bytes over buffer sizes x DRAM bandwidths; CSV, JSON, line charts; "
                + "points in parallel, resumable.")
public final class SweepCommand implements java.util.concurrent.Callable<Integer> {
    private static final Logger LOGGER = LogManager.getLogger();
    static final String POINT_FORMAT = "sfd-sweep-point/1";

    @Mixin
    NetworkArgs networkArgs = new NetworkArgs();

    @Option(names = "--hw", required = true, paramLabel = "HARDWARE", description = "Base hardware preset or file.")
    String hardware;

    @Option(names = "--glb", required = true, paramLabel = "RANGE",
            description = "Buffer sizes: LO..HI (geometric, --glb-points of them) or a list, e.g. 128KiB..8MiB or "
                    + "256KiB,1MiB (units B, KiB, MiB).")
    String glb;

    @Option(names = "--glb-points", defaultValue = "5", paramLabel = "N", description = "Points of a LO..HI buffer "
            + "range (default ${DEFAULT-VALUE}).")
    int glbPoints;

    @Option(names = "--dram-gbps", required = true, paramLabel = "RANGE",
            description = "DRAM bandwidths in GB/s: LO..HI (geometric, --dram-points of them) or a list, e.g. 8..128.")
    String dram;

    @Option(names = "--dram-points", defaultValue = "3", paramLabel = "N", description = "Points of a LO..HI bandwidth "
            + "range (default ${DEFAULT-VALUE}).")
    int dramPoints;

    @Option(names = "--jobs", defaultValue = "2", paramLabel = "N", description = "Points run in parallel (default "
            + "${DEFAULT-VALUE}).")
    int jobs;

    @Option(names = "--out", paramLabel = "DIR", description = "Output folder (default sweep-NETWORK-HARDWARE).")
    Path out;

    @Option(names = "--planners", defaultValue = "sfd", paramLabel = "LIST",
            description = "Comma-separated planners (default ${DEFAULT-VALUE}).")
    String planners;

    @Option(names = "--mapper", defaultValue = "heuristic", paramLabel = "MAPPER",
            description = "Layer mapper: cpsat, exhaustive or heuristic (default ${DEFAULT-VALUE}).")
    String mapperName;

    @Option(names = "--solver", defaultValue = "dp", paramLabel = "SOLVER",
            description = "SFD segmenter (default ${DEFAULT-VALUE}).")
    String solver;

    @Option(names = "--time-limit", defaultValue = "5", paramLabel = "S",
            description = "SFD: seconds for its run; its segmenter's search stops when mapping and the search "
                    + "have used 80 %% of them (at least 25 %%), as in optimize (default ${DEFAULT-VALUE}).")
    double timeLimit;

    @Option(names = "--dp-budget", defaultValue = "0", paramLabel = "EVENTS",
            description = "SFD: tile events its priced DP may walk before it stops as at --time-limit, so that its "
                    + "plans do not depend on the machine's speed or on how many points run at once (default "
                    + "${DEFAULT-VALUE}: none).")
    long dpBudget;

    @Option(names = "--budget", defaultValue = "1000", paramLabel = "N",
            description = "anneal, genetic: evaluation budget (default ${DEFAULT-VALUE}).")
    long budget;

    @Option(names = "--search-time-limit", defaultValue = "30", paramLabel = "S",
            description = "anneal, genetic: seconds (default ${DEFAULT-VALUE}).")
    double searchTimeLimit;

    @Option(names = "--seed", defaultValue = "42", paramLabel = "N", description = "Seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--no-progress", description = "No progress bar on stderr.")
    boolean noProgress;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** One point of the sweep. */
    record Point(long capacityBytes, double dramGBps) {
        String key() {
            return String.format(Locale.ROOT, "glb-%d_dram-%s", capacityBytes, trim(dramGBps));
        }
    }

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            Network net = networkArgs.load().network();
            NetworkRef ref = networkArgs.ref(net);
            Hardware base = HardwareCatalog.resolve(hardware);
            List<Long> sizes = parseSizes(glb, glbPoints);
            List<Double> bandwidths = parseBandwidths(dram, dramPoints);
            if (jobs < 1) {
                throw new InvalidInputException("--jobs", "has value (" + jobs + "); must be >= 1");
            }
            MapperArgs ma = new MapperArgs();
            ma.mapperName = mapperName;
            ma.threads = 1;
            CpSatSettings ms = ma.settings();
            ma.mapper(ms);
            CompareArgs ca = new CompareArgs();
            ca.planners = planners;
            ca.solver = solver;
            ca.timeLimit = timeLimit;
            ca.dpBudget = dpBudget;
            ca.budget = budget;
            ca.searchTimeLimit = searchTimeLimit;
            ca.seed = seed;
            Comparison.Settings settings = ca.settings(ca.planners(), 1, false);
            Path dir = out != null ? out : Path.of("sweep-" + net.name() + "-" + base.name());
            Map<String, Object> config = new LinkedHashMap<>();
            config.put("network", ref.name());
            config.put("batch", net.batch());
            config.put("hardware", base.name());
            config.put("planners", settings.planners());
            config.put("mapper", mapperName);
            config.put("solver", solver);
            config.put("timeLimit", timeLimit);
            config.put("dpBudget", dpBudget);
            config.put("budget", budget);
            config.put("searchTimeLimit", searchTimeLimit);
            config.put("seed", seed);
            String fingerprint = new ObjectMapper().writeValueAsString(config);

            List<Point> points = new ArrayList<>();
            for (double bw : bandwidths) {
                for (long size : sizes) {
                    points.add(new Point(size, bw));
                }
            }
            Map<Point, List<ComparisonRow>> results = new LinkedHashMap<>();
            List<Point> todo = new ArrayList<>();
            for (Point p : points) {
                List<ComparisonRow> done = readPoint(dir.resolve("points").resolve(p.key() + ".json"), fingerprint);
                if (done != null) {
                    results.put(p, done);
                } else {
                    todo.add(p);
                }
            }
            stdout.printf(Locale.ROOT, "sweep %s on %s: %d buffer sizes x %d bandwidths = %d points (%d done before, "
                            + "%d to run, %d in parallel)%n", net.name(), base.name(), sizes.size(), bandwidths.size(),
                    points.size(), results.size(), todo.size(), jobs);
            stdout.flush();
            long start = System.nanoTime();
            ProgressListener progress = ConsoleProgress.forTerminal(noProgress);
            progress.stage("sweep", todo.size());
            AtomicInteger finished = new AtomicInteger();
            List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
            ExecutorService pool = Executors.newFixedThreadPool(jobs);
            try {
                List<Future<?>> futures = new ArrayList<>();
                for (Point p : todo) {
                    futures.add(pool.submit(() -> {
                        Hardware hw = variant(base, p);
                        List<ComparisonRow> rows;
                        try {
                            Comparison.Outcome o = Comparison.run(new PlanRequest(net, ref, hw), ma.mapper(ms), 1,
                                    settings, ProgressListener.NONE);
                            rows = CompareCommand.toRows(o);
                        } catch (MappingInfeasibleException e) {
                            rows = List.of(new ComparisonRow(net.name(), hw.name(), p.capacityBytes(), p.dramGBps(),
                                    "mapping", 0, Double.NaN, Double.NaN, 0, Double.NaN, 0, 0, 0, 0, 0, "FAILED", 0, "",
                                    "infeasible: " + e.getMessage()));
                        }
                        writePoint(dir.resolve("points").resolve(p.key() + ".json"), fingerprint, rows);
                        synchronized (results) {
                            results.put(p, rows);
                        }
                        progress.step(finished.incrementAndGet());
                        return null;
                    }));
                }
                for (Future<?> f : futures) {
                    try {
                        f.get();
                    } catch (java.util.concurrent.ExecutionException e) {
                        failures.add(String.valueOf(e.getCause()));
                        LOGGER.debug("sweep point failed", e.getCause());
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            } finally {
                pool.shutdownNow();
                progress.done();
                if (progress instanceof ConsoleProgress c) {
                    c.close();
                }
            }
            List<ComparisonRow> all = new ArrayList<>();
            for (Point p : points) {
                all.addAll(results.getOrDefault(p, List.of()));
            }
            AtomicFiles.writeString(dir.resolve("sweep.csv"), ComparisonWriter.csv(all));
            Map<String, Object> header = new LinkedHashMap<>(config);
            header.put("glbBytes", sizes);
            header.put("dramGBps", bandwidths);
            AtomicFiles.write(dir.resolve("sweep.json"), ComparisonWriter.json("sfd-sweep/1", header, all));
            String what = net.name() + " on " + base.name() + " variants";
            AtomicFiles.write(dir.resolve("latency.png"), chart("Latency over buffer size: " + what,
                    "latency (cycles)", all, r -> r.latencyCycles()));
            AtomicFiles.write(dir.resolve("energy.png"), chart("Energy over buffer size: " + what, "energy (uJ)",
                    all, r -> r.energyPj() / 1e6));
            AtomicFiles.write(dir.resolve("dram.png"), chart("DRAM traffic over buffer size: " + what,
                    "DRAM bytes (MiB)", all, r -> r.dramBytes() / 1048576.0));
            List<List<String>> table = new ArrayList<>();
            for (ComparisonRow r : all) {
                table.add(List.of(String.valueOf(r.capacityBytes() / 1024), trim(r.dramGBps()), r.planner(),
                        r.failed() ? "-" : String.format(Locale.ROOT, "%,d", r.latencyCycles()),
                        Comparison.fmt(r.energyPj() / 1e6, "%.1f"),
                        r.failed() ? "-" : String.format(Locale.ROOT, "%,d", r.dramBytes()),
                        String.valueOf(r.violations()), r.failed() ? "FAILED: " + r.error() : r.status()));
            }
            Comparison.printTable(stdout, List.of("GLB KiB", "DRAM GB/s", "planner", "latency cycles", "energy uJ",
                    "DRAM bytes", "violations", "status"), table);
            stdout.printf(Locale.ROOT, "%d points run in %.1f s; wrote %s, sweep.json, latency.png, energy.png, "
                    + "dram.png%n", todo.size(), (System.nanoTime() - start) / 1e9, dir.resolve("sweep.csv"));
            stdout.flush();
            for (String f : failures) {
                err.println("point failed: " + f);
            }
            boolean ok = failures.isEmpty() && all.stream().noneMatch(r -> r.failed() || r.violations() > 0);
            err.flush();
            return ok ? 0 : 1;
        } catch (InvalidInputException e) {
            err.println("error: " + e.getMessage());
            err.flush();
            return 2;
        } catch (IOException e) {
            err.println("error: " + e.getMessage());
            err.flush();
            return 2;
        }
    }

    /** The base hardware with another buffer capacity and DRAM bandwidth. */
    static Hardware variant(Hardware base, Point p) {
        Hardware.GlobalBuffer g = base.globalBuffer();
        Hardware.Dram d = base.dram();
        return new Hardware(String.format(Locale.ROOT, "%s@glb=%dKiB,dram=%sGBps", base.name(),
                p.capacityBytes() / 1024, trim(p.dramGBps())), base.source(), base.clockGHz(), base.cores(),
                base.peArray(), base.vectorUnit(),
                new Hardware.GlobalBuffer(p.capacityBytes(), g.bandwidthBytesPerCycle(), g.readEnergyPjPerByte(),
                        g.writeEnergyPjPerByte()),
                new Hardware.Dram(p.dramGBps() / base.clockGHz(), d.latencyCycles(), d.readEnergyPjPerByte(),
                        d.writeEnergyPjPerByte(), d.dmaEngines()),
                base.noc(), base.dataWidths(), base.energy());
    }

    /** A finished point's rows, or null when it is absent, unreadable or made with other settings. */
    static List<ComparisonRow> readPoint(Path file, String fingerprint) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            JsonNode root = new ObjectMapper().readTree(file.toFile());
            if (root == null || !POINT_FORMAT.equals(root.path("format").asText())
                    || !fingerprint.equals(root.path("config").asText())) {
                LOGGER.info("Sweep point ({}) was made with other settings; computing it again", file);
                return null;
            }
            List<ComparisonRow> rows = new ArrayList<>();
            for (JsonNode r : root.path("rows")) {
                rows.add(new ComparisonRow(r.path("network").asText(), r.path("hardware").asText(),
                        r.path("capacityBytes").asLong(), dbl(r, "dramGBps"), r.path("planner").asText(),
                        r.path("latencyCycles").asLong(), dbl(r, "boundRatio"), dbl(r, "sfdSpeedup"),
                        r.path("dramBytes").asLong(), dbl(r, "energyPj"), r.path("peakBufferBytes").asLong(),
                        r.path("segments").asInt(), dbl(r, "optimizerSeconds"), dbl(r, "mappingSeconds"),
                        r.path("violations").asInt(), r.path("status").asText(), r.path("evaluations").asLong(),
                        r.path("stop").asText(), r.path("error").asText()));
            }
            return rows.isEmpty() ? null : rows;
        } catch (IOException | RuntimeException e) {
            LOGGER.warn("Sweep point ({}) cannot be read ({}); computing it again", file, e.getMessage());
            return null;
        }
    }

    private static double dbl(JsonNode r, String field) {
        JsonNode v = r.path(field);
        return v.isNumber() ? v.asDouble() : Double.NaN;
    }

    /** Writes a finished point atomically: its settings fingerprint and its rows. */
    static void writePoint(Path file, String fingerprint, List<ComparisonRow> rows) {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("config", fingerprint);
        byte[] json = ComparisonWriter.json(POINT_FORMAT, header, rows);
        AtomicFiles.write(file, json);
    }

    private static byte[] chart(String title, String label, List<ComparisonRow> rows, ToDoubleFunction<ComparisonRow> f) {
        Map<String, Map<Double, Double>> series = new LinkedHashMap<>();
        for (ComparisonRow r : rows) {
            if (r.failed()) {
                continue;
            }
            series.computeIfAbsent(r.planner() + " @ " + trim(r.dramGBps()) + " GB/s", k -> new TreeMap<>())
                    .put(r.capacityBytes() / 1024.0, f.applyAsDouble(r));
        }
        return Charts.lines(title, "one line per planner and DRAM bandwidth", "global buffer (KiB, log scale)",
                label, series, true);
    }

    private static final Pattern SIZE = Pattern.compile("(?i)\\s*([0-9]+(?:\\.[0-9]+)?)\\s*(B|KiB|MiB|GiB)?\\s*");

    /** {@code 128KiB..8MiB} (geometric, {@code points} of them, rounded to KiB) or {@code 256KiB,1MiB}. */
    static List<Long> parseSizes(String text, int points) {
        List<Double> v = parseRange("--glb", text, points, s -> {
            Matcher m = SIZE.matcher(s);
            if (!m.matches()) {
                throw new InvalidInputException("--glb", "has value (" + text + "); (" + s.trim() + ") is not a size "
                        + "such as 512KiB or 2MiB");
            }
            double x = Double.parseDouble(m.group(1));
            String unit = m.group(2) == null ? "B" : m.group(2).toLowerCase(Locale.ROOT);
            return x * switch (unit) {
                case "kib" -> 1024.0;
                case "mib" -> 1048576.0;
                case "gib" -> 1073741824.0;
                default -> 1.0;
            };
        });
        List<Long> out = new ArrayList<>();
        for (double d : v) {
            long b = d >= 1024 ? Math.round(d / 1024) * 1024 : Math.round(d);
            if (b < 1024) {
                throw new InvalidInputException("--glb", "has value (" + text + "); every size must be at least 1KiB");
            }
            if (!out.contains(b)) {
                out.add(b);
            }
        }
        return out;
    }

    /** {@code 8..128} (geometric) or {@code 8,32,128}, GB/s. */
    static List<Double> parseBandwidths(String text, int points) {
        List<Double> v = parseRange("--dram-gbps", text, points, s -> {
            try {
                double x = Double.parseDouble(s.trim());
                if (!(x > 0) || Double.isInfinite(x)) {
                    throw new NumberFormatException();
                }
                return x;
            } catch (NumberFormatException e) {
                throw new InvalidInputException("--dram-gbps", "has value (" + text + "); (" + s.trim()
                        + ") is not a bandwidth in GB/s above 0");
            }
        });
        List<Double> out = new ArrayList<>();
        for (double d : v) {
            double r = Math.round(d * 100) / 100.0;
            if (!out.contains(r)) {
                out.add(r);
            }
        }
        return out;
    }

    private static List<Double> parseRange(String option, String text, int points,
                                           java.util.function.Function<String, Double> one) {
        if (text.contains("..")) {
            String[] ends = text.split("\\.\\.", -1);
            if (ends.length != 2) {
                throw new InvalidInputException(option, "has value (" + text + "); expected LO..HI or a list");
            }
            double lo = one.apply(ends[0]);
            double hi = one.apply(ends[1]);
            if (!(hi >= lo)) {
                throw new InvalidInputException(option, "has value (" + text + "); the upper end is below the lower");
            }
            if (points < 1 || points > 64) {
                throw new InvalidInputException(option.equals("--glb") ? "--glb-points" : "--dram-points",
                        "has value (" + points + "); must be 1..64");
            }
            List<Double> out = new ArrayList<>();
            for (int i = 0; i < points; i++) {
                out.add(points == 1 ? lo : lo * Math.pow(hi / lo, (double) i / (points - 1)));
            }
            return out;
        }
        List<Double> out = new ArrayList<>();
        for (String s : text.split(",")) {
            if (!s.isBlank()) {
                out.add(one.apply(s));
            }
        }
        if (out.isEmpty()) {
            throw new InvalidInputException(option, "has value (" + text + "); give LO..HI or a list");
        }
        return out;
    }

    static String trim(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.2f", v);
    }
}
