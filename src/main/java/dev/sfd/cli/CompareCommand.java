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
import dev.sfd.report.HtmlReport;
import dev.sfd.schedule.io.PlanWriter;
import dev.sfd.workload.Network;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code sfd compare NETWORK --hw HW [--planners ...] [--out DIR]}: runs several planners on one problem from one set
 * of mapper fronts, simulates every plan and prints a table (latency, bound ratio, SFD's speedup over each, DRAM
 * bytes, energy, peak buffer, segments, optimizer seconds, violations); writes {@code compare.csv},
 * {@code compare.json}, {@code compare.png}, every plan under {@code plans/}, the charts of the first planner's plan
 * (SFD's by default) and {@code report.html}. Exit 0 when every planner produced a plan that simulated without
 * violations, 1 otherwise, 2 on bad input.
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Run SFD and the baseline planners on one network and hardware; table, CSV, JSON, charts, "
                + "report.html.")
public final class CompareCommand implements Callable<Integer> {
    @Mixin
    NetworkArgs networkArgs = new NetworkArgs();

    @Option(names = "--hw", required = true, paramLabel = "HARDWARE", description = "Hardware preset or file.")
    String hardware;

    @Mixin
    CompareArgs compareArgs = new CompareArgs();

    @Mixin
    MapperArgs mapperArgs = new MapperArgs();

    @Option(names = "--out", paramLabel = "DIR", description = "Output folder (default compare-NETWORK-HARDWARE).")
    Path out;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            Network net = networkArgs.load().network();
            Hardware hw = HardwareCatalog.resolve(hardware);
            CpSatSettings ms = mapperArgs.settings();
            Mapper mapper = mapperArgs.mapper(ms);
            int threads = mapperArgs.threads(ms);
            Comparison.Settings settings = compareArgs.settings(compareArgs.planners(), threads, true);
            Path dir = out != null ? out : Path.of("compare-" + net.name() + "-" + hw.name());
            PlanRequest request = new PlanRequest(net, networkArgs.ref(net), hw);
            ProgressListener progress = ConsoleProgress.forTerminal(compareArgs.noProgress);
            Comparison.Outcome o;
            try {
                o = Comparison.run(request, mapper, threads, settings, progress);
            } finally {
                if (progress instanceof ConsoleProgress c) {
                    c.close();
                }
            }
            stdout.printf(Locale.ROOT, "%s (batch %d) on %s: lower bound %,d cycles; mapped once with %s in %.1f s%n",
                    net.name(), net.batch(), hw.name(), o.bound().latencyCycles(), o.mapping().mapper(),
                    o.mapping().elapsedMillis() / 1e3);
            Comparison.printTable(stdout, Comparison.COLUMNS, Comparison.rows(o));
            write(dir, o);
            stdout.println("wrote " + dir.resolve("compare.csv") + ", compare.json, compare.png, report.html, "
                    + "charts and plans/");
            stdout.flush();
            for (Comparison.Entry e : o.entries()) {
                if (!e.ok()) {
                    err.println("planner " + e.planner() + " failed: " + e.error());
                } else if (e.violations() > 0) {
                    err.println("planner " + e.planner() + ": " + e.violations() + " violations, first: "
                            + e.sim().violations().get(0));
                }
            }
            err.flush();
            return o.allLegal() ? 0 : 1;
        } catch (InvalidInputException e) {
            err.println("error: " + e.getMessage());
            err.flush();
            return 2;
        } catch (MappingInfeasibleException e) {
            err.println("infeasible: " + e.getMessage());
            err.flush();
            return 1;
        }
    }

    /** The rows of an outcome for the CSV and JSON. */
    static List<ComparisonRow> toRows(Comparison.Outcome o) {
        List<ComparisonRow> rows = new ArrayList<>();
        Hardware hw = o.request().hardware();
        double gbps = hw.dram().bandwidthBytesPerCycle() * hw.clockGHz();
        double mapping = o.mapping().elapsedMillis() / 1e3;
        for (Comparison.Entry e : o.entries()) {
            if (!e.ok()) {
                rows.add(new ComparisonRow(o.request().network().name(), hw.name(),
                        hw.globalBuffer().capacityBytes(), gbps, e.planner(), 0, Double.NaN, Double.NaN, 0,
                        Double.NaN, 0, 0, e.optimizerMillis() / 1e3, mapping, 0, "FAILED", e.evaluations(), e.stop(),
                        e.error()));
                continue;
            }
            rows.add(new ComparisonRow(o.request().network().name(), hw.name(), hw.globalBuffer().capacityBytes(),
                    gbps, e.planner(), e.sim().cycles(), o.boundRatio(e), o.speedupOfSfd(e), e.dramBytes(),
                    e.sim().energy().totalPj(), e.sim().peakBufferBytes(), e.plan().segments().size(),
                    e.optimizerMillis() / 1e3, mapping, (int) e.violations(), e.status(), e.evaluations(), e.stop(),
                    ""));
        }
        return rows;
    }

    /** Writes CSV, JSON, the plans, the charts and report.html of one comparison into {@code dir}. */
    static void write(Path dir, Comparison.Outcome o) {
        Network net = o.request().network();
        Hardware hw = o.request().hardware();
        List<ComparisonRow> rows = toRows(o);
        AtomicFiles.writeString(dir.resolve("compare.csv"), ComparisonWriter.csv(rows));
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("network", net.name());
        header.put("batch", net.batch());
        header.put("hardware", hw.name());
        header.put("mapper", o.mapping().mapper());
        header.put("mappingSeconds", o.mapping().elapsedMillis() / 1e3);
        header.put("lowerBoundCycles", o.bound().latencyCycles());
        header.put("compulsoryBytes", o.bound().compulsoryBytes());
        AtomicFiles.write(dir.resolve("compare.json"), ComparisonWriter.json("sfd-compare/1", header, rows));
        for (Comparison.Entry e : o.entries()) {
            if (e.ok()) {
                PlanWriter.write(e.plan(), dir.resolve("plans").resolve(e.planner() + ".json"));
            }
        }
        Map<String, Double> latency = Comparison.byPlanner(o, e -> (double) e.sim().cycles());
        String what = net.name() + " on " + hw.name();
        byte[] bars = Charts.bars("Simulated latency per planner: " + what,
                "cycles; dashed line: lower bound " + String.format(Locale.ROOT, "%,d", o.bound().latencyCycles()),
                "latency (cycles)", latency, (double) o.bound().latencyCycles(), "lower bound");
        AtomicFiles.write(dir.resolve("compare.png"), bars);
        List<HtmlReport.Image> images = new ArrayList<>();
        images.add(new HtmlReport.Image("Simulated latency per planner (lower bound dashed)", bars));
        List<HtmlReport.Table> tables = new ArrayList<>();
        tables.add(HtmlReport.summary("Problem", List.of(
                new String[] {"network", net.name() + " (batch " + net.batch() + ", " + net.operators().size()
                        + " operators)"},
                new String[] {"hardware", hw.name() + " (" + hw.globalBuffer().capacityBytes() / 1024
                        + " KiB buffer, " + String.format(Locale.ROOT, "%.1f", hw.dram().bandwidthBytesPerCycle()
                        * hw.clockGHz()) + " GB/s DRAM)"},
                new String[] {"lower bound", String.format(Locale.ROOT, "%,d cycles", o.bound().latencyCycles())},
                new String[] {"mapper", o.mapping().mapper() + String.format(Locale.ROOT, ", %.1f s (shared by all "
                        + "planners)", o.mapping().elapsedMillis() / 1e3)})));
        tables.add(new HtmlReport.Table("Planners", Comparison.COLUMNS, Comparison.rows(o)));
        o.entries().stream().filter(Comparison.Entry::ok).findFirst().ifPresent(first -> {
            Map<String, byte[]> charts = Charts.planCharts(net, first.plan(), first.sim(), o.layerwise());
            charts.forEach((file, png) -> {
                AtomicFiles.write(dir.resolve(file), png);
                images.add(new HtmlReport.Image(file + ": " + first.planner() + " plan", png));
            });
            tables.add(HtmlReport.segments("Segments of the " + first.planner() + " plan", first.plan(),
                    first.sim()));
        });
        for (Comparison.Entry e : o.entries()) {
            if (e.ok() && e != o.entries().get(0)) {
                images.add(new HtmlReport.Image("Segment map of the " + e.planner() + " plan",
                        Charts.segmentMap("Segment map: " + what + ", planner " + e.planner(), net, e.plan(),
                                e.sim())));
            }
        }
        HtmlReport.write(dir.resolve("report.html"), "SFD compare: " + what, tables, images);
    }
}
