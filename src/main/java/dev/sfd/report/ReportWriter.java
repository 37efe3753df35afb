package dev.sfd.report;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.sfd.common.AtomicFiles;
import dev.sfd.cost.LowerBounds;
import dev.sfd.planner.SfdResult;
import dev.sfd.planner.SolverRun;
import dev.sfd.schedule.Plan;
import dev.sfd.segmentation.SegmentAnalyzer;
import dev.sfd.simulation.SimulationResult;
import dev.sfd.simulation.Violation;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Map;

/** Writes {@code report.json} (docs/json-output.md, section "report") and prints the console summary. */
public final class ReportWriter {
    /** The occupancy series in the report is thinned to at most this many points (the trace has all). */
    static final int MAX_SERIES_POINTS = 2000;

    private ReportWriter() {
    }

    public static void write(Path file, Plan plan, SimulationResult r, LowerBounds.LowerBound bound) {
        AtomicFiles.write(file, toBytes(plan, r, bound, Optional.empty()));
    }

    /** With the SFD planner's section (solver runs, repairs, fallback, layer-by-layer comparison, stage times). */
    public static void write(Path file, Plan plan, SimulationResult r, LowerBounds.LowerBound bound,
                             Optional<SfdSection> sfd) {
        AtomicFiles.write(file, toBytes(plan, r, bound, sfd));
    }

    public static byte[] toBytes(Plan plan, SimulationResult r, LowerBounds.LowerBound bound) {
        return toBytes(plan, r, bound, Optional.empty());
    }

    public static byte[] toBytes(Plan plan, SimulationResult r, LowerBounds.LowerBound bound,
                                 Optional<SfdSection> sfd) {
        return toBytes(plan, r, bound, sfd, null);
    }

    /**
     * @param planSha256 SHA-256 (hex) of the plan.json this report belongs to, written as {@code planSha256}; null
     *     for none
     */
    public static byte[] toBytes(Plan plan, SimulationResult r, LowerBounds.LowerBound bound,
                                 Optional<SfdSection> sfd, String planSha256) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = new JsonFactory().createGenerator(out, JsonEncoding.UTF8)) {
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeStringField("format", "sfd-report/1");
            if (planSha256 != null) {
                g.writeStringField("planSha256", planSha256);
            }
            g.writeStringField("network", plan.network().name());
            g.writeNumberField("batch", plan.network().batch());
            g.writeStringField("hardware", plan.hardware().name());
            g.writeStringField("planner", plan.planner());
            g.writeStringField("solverStatus", plan.solverStatus());
            g.writeBooleanField("legal", r.legal());
            g.writeNumberField("latencyCycles", r.cycles());
            g.writeNumberField("latencySeconds", plan.hardware().seconds(r.cycles()));
            g.writeNumberField("energyPj", r.energy().totalPj());
            g.writeObjectFieldStart("energyByComponentPj");
            g.writeNumberField("mac", r.energy().macPj());
            g.writeNumberField("vector", r.energy().vectorPj());
            g.writeNumberField("glb", r.energy().glbPj());
            g.writeNumberField("dram", r.energy().dramPj());
            g.writeNumberField("peAccess", r.energy().peAccessPj());
            g.writeNumberField("leakage", r.energy().leakagePj());
            g.writeEndObject();
            g.writeNumberField("dramReadBytes", r.dramReadBytes());
            g.writeNumberField("dramWriteBytes", r.dramWriteBytes());
            g.writeNumberField("peakBufferBytes", r.peakBufferBytes());
            g.writeNumberField("capacityBytes", plan.hardware().globalBuffer().capacityBytes());
            g.writeNumberField("lowerBoundCycles", bound.latencyCycles());
            g.writeObjectFieldStart("lowerBound");
            g.writeNumberField("computeCycles", bound.computeCycles());
            g.writeNumberField("compulsoryBytes", bound.compulsoryBytes());
            g.writeNumberField("trafficCycles", bound.trafficCycles());
            g.writeNumberField("latencyCycles", bound.latencyCycles());
            g.writeNumberField("utilisationComputeCycles", bound.utilisationComputeCycles());
            g.writeNumberField("utilisationLatencyCycles", bound.utilisationLatencyCycles());
            g.writeEndObject();
            g.writeNumberField("boundRatio", ratio(r.cycles(), bound.latencyCycles()));
            g.writeNumberField("utilisationBoundRatio", ratio(r.cycles(), bound.utilisationLatencyCycles()));
            g.writeNumberField("dramBytesOverCompulsory", bound.compulsoryBytes() == 0 ? 0
                    : (double) (r.dramReadBytes() + r.dramWriteBytes()) / bound.compulsoryBytes());
            if (sfd.isPresent()) {
                writeSfd(g, sfd.get(), r);
            }
            g.writeNumberField("segmentCount", plan.segments().size());
            g.writeNumberField("taskCount", plan.taskCount());
            g.writeNumberField("scheduledCycles", plan.predictedCycles());
            g.writeNumberField("sequentialCycles", plan.sequentialCycles());
            g.writeNumberField("prefetchingSegments", plan.segments().stream().filter(s -> s.prefetch().any()).count());
            g.writeNumberField("simulatorEvents", r.events());
            g.writeObjectFieldStart("utilisation");
            for (Map.Entry<String, Double> e : r.utilisation().entrySet()) {
                g.writeNumberField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
            g.writeArrayFieldStart("violations");
            for (Violation v : r.violations()) {
                g.writeStartObject();
                g.writeStringField("kind", v.kind().name());
                g.writeNumberField("segment", v.segment());
                g.writeStringField("task", v.task());
                g.writeStringField("tensor", v.tensor());
                g.writeNumberField("cycle", v.cycle());
                g.writeStringField("message", v.message());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("segments");
            for (SimulationResult.SegmentResult s : r.segments()) {
                g.writeStartObject();
                g.writeNumberField("index", s.index());
                g.writeStringField("operators", String.join(",", plan.segments().get(s.index()).operators()));
                g.writeNumberField("startCycle", s.startCycle());
                g.writeNumberField("endCycle", s.endCycle());
                g.writeNumberField("cycles", s.cycles());
                g.writeNumberField("peakBufferBytes", s.peakBufferBytes());
                g.writeNumberField("dramReadBytes", s.dramReadBytes());
                g.writeNumberField("dramWriteBytes", s.dramWriteBytes());
                g.writeNumberField("energyPj", s.energyPj());
                List<SegmentAnalyzer.Analysis> analyses = sfd.map(x -> x.result().analyses()).orElse(List.of());
                if (s.index() < analyses.size()) {
                    SegmentAnalyzer.Analysis a = analyses.get(s.index());
                    g.writeObjectFieldStart("predicted");
                    g.writeNumberField("cycles", a.cycles());
                    g.writeNumberField("dramReadBytes", a.dramReadBytes());
                    g.writeNumberField("dramWriteBytes", a.dramWriteBytes());
                    g.writeNumberField("energyPj", a.energyPj());
                    g.writeNumberField("minWorkingSetBytes", a.minWorkingSetBytes());
                    g.writeNumberField("timelinePeakBytes", a.timelinePeakBytes());
                    g.writeStringField("runAhead", a.runAhead().name().toLowerCase(java.util.Locale.ROOT));
                    g.writeEndObject();
                }
                Optional<Long> model = sfd.flatMap(x -> x.result().prediction()
                        .cyclesOf(plan.segments().get(s.index()).operators()));
                if (model.isPresent()) {
                    g.writeNumberField("segmenterCycles", model.get());
                } else if (sfd.isPresent()) {
                    g.writeNullField("segmenterCycles");
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeObjectFieldStart("dramBytesByTensor");
            for (Map.Entry<String, Long> e : r.dramReadBytesByTensor().entrySet()) {
                g.writeObjectFieldStart(e.getKey());
                g.writeNumberField("read", e.getValue());
                g.writeNumberField("write", r.dramWriteBytesByTensor().getOrDefault(e.getKey(), 0L));
                g.writeEndObject();
            }
            for (Map.Entry<String, Long> e : r.dramWriteBytesByTensor().entrySet()) {
                if (!r.dramReadBytesByTensor().containsKey(e.getKey())) {
                    g.writeObjectFieldStart(e.getKey());
                    g.writeNumberField("read", 0);
                    g.writeNumberField("write", e.getValue());
                    g.writeEndObject();
                }
            }
            g.writeEndObject();
            g.writeObjectFieldStart("occupancy");
            int n = r.occupancyCycles().length;
            int step = Math.max(1, (n + MAX_SERIES_POINTS - 1) / MAX_SERIES_POINTS);
            g.writeArrayFieldStart("cycles");
            for (int i = 0; i < n; i += step) {
                g.writeNumber(r.occupancyCycles()[i]);
            }
            g.writeEndArray();
            g.writeArrayFieldStart("bytes");
            for (int i = 0; i < n; i += step) {
                // the maximum over the thinned window, so the peak survives thinning
                long max = 0;
                for (int j = i; j < Math.min(n, i + step); j++) {
                    max = Math.max(max, r.occupancyBytes()[j]);
                }
                g.writeNumber(max);
            }
            g.writeEndArray();
            g.writeEndObject();
            if (sfd.isPresent()) {
                writeTimings(g, sfd.get());
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void writeSfd(JsonGenerator g, SfdSection sfd, SimulationResult r) throws IOException {
        SfdResult res = sfd.result();
        g.writeObjectFieldStart("solver");
        g.writeStringField("requested", res.solverRequested());
        g.writeStringField("used", res.solverUsed());
        g.writeStringField("status", res.solverStatus());
        writeDouble(g, "gap", res.solverGap());
        g.writeBooleanField("gapDependsOnWallTime", res.runs().stream()
                .anyMatch(x -> x.solver().equals(res.solverUsed()) && stoppedByTimeLimit(x)));
        g.writeNumberField("modelSegments", res.modelSegments());
        g.writeNumberField("analysedCycles", res.analysedCycles());
        g.writeArrayFieldStart("runs");
        for (SolverRun run : res.runs()) {
            g.writeStartObject();
            g.writeStringField("solver", run.solver());
            g.writeStringField("status", run.status());
            writeDouble(g, "gap", run.gap());
            g.writeBooleanField("stoppedByTimeLimit", stoppedByTimeLimit(run));
            g.writeBooleanField("stoppedAtWorkBudget", run.stoppedAtWorkBudget());
            writeDouble(g, "objective", run.objective());
            g.writeNumberField("segments", run.segments());
            g.writeStringField("note", run.note());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
        if (res.fellBack()) {
            g.writeStringField("fallback", res.fallback());
        } else {
            g.writeNullField("fallback");
        }
        g.writeArrayFieldStart("repairs");
        for (SfdResult.Repair rep : res.repairs()) {
            g.writeStartObject();
            g.writeStringField("firstOperator", rep.operators().get(0));
            g.writeNumberField("operators", rep.operators().size());
            g.writeStringField("reason", rep.reason());
            g.writeArrayFieldStart("splitInto");
            for (int n : rep.result()) {
                g.writeNumber(n);
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        g.writeEndArray();
        SfdResult.Prediction p = res.prediction();
        g.writeObjectFieldStart("segmenterPrediction");
        g.writeNumberField("latencyCycles", p.latencyCycles());
        g.writeNumberField("energyPj", p.energyPj());
        g.writeNumberField("dramBytes", p.dramBytes());
        g.writeBooleanField("pricedAtTileLevel", p.priced());
        g.writeNumberField("additiveLatencyCycles", p.additiveLatencyCycles());
        g.writeNumberField("segments", p.segments().size());
        // after a fallback the simulated plan is the layer-by-layer one, not the plan predicted
        writeDouble(g, "latencyErrorVsSimulated", r.cycles() == 0 || res.fellBack() ? Double.NaN
                : (double) (p.latencyCycles() - r.cycles()) / r.cycles());
        g.writeEndObject();
        g.writeObjectFieldStart("layerwise");
        g.writeNumberField("latencyCycles", sfd.layerwise().cycles());
        g.writeNumberField("dramReadBytes", sfd.layerwise().dramReadBytes());
        g.writeNumberField("dramWriteBytes", sfd.layerwise().dramWriteBytes());
        g.writeNumberField("energyPj", sfd.layerwise().energy().totalPj());
        g.writeNumberField("violations", sfd.layerwise().violations().size());
        g.writeNumberField("speedup", sfd.speedup(r));
        g.writeEndObject();
        g.writeArrayFieldStart("starved");
        for (String s : starved(res)) {
            g.writeString(s);
        }
        g.writeEndArray();
    }

    /**
     * The wall-clock section: everything in report.json that differs between identical runs is here (and nowhere
     * else), so two reports of the same inputs compare equal without it.
     */
    private static void writeTimings(JsonGenerator g, SfdSection sfd) throws IOException {
        g.writeObjectFieldStart("timings");
        g.writeObjectFieldStart("stageMillis");
        long total = 0;
        for (Map.Entry<String, Long> e : sfd.stageMillis().entrySet()) {
            g.writeNumberField(e.getKey(), e.getValue());
            total += e.getValue();
        }
        g.writeNumberField("total", total);
        g.writeEndObject();
        g.writeArrayFieldStart("solverRunMillis");
        for (SolverRun run : sfd.result().runs()) {
            g.writeNumber(run.wallMillis());
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    /**
     * Whether a segmenter run ended at its time limit rather than by proving its answer optimal: CP-SAT and
     * Timefold runs that are not OPTIMAL, and a priced DP that stopped before its bounds met its prices (FEASIBLE
     * with a positive gap; a DP that is FEASIBLE only because it capped its search has gap 0 or none). Their answer
     * and gap depend on how fast the machine was.
     */
    public static boolean stoppedByTimeLimit(SolverRun run) {
        if (!run.status().equals("FEASIBLE") || run.stoppedAtWorkBudget()) {
            return false;
        }
        return !run.solver().equals("dp") || (Double.isFinite(run.gap()) && run.gap() > 0);
    }

    /**
     * Stages that ran out of their {@code --time-limit} budget and did less than they would have: segmenter runs
     * stopped at their limit ({@link #stoppedByTimeLimit}), and a priced DP stopped at its {@code --dp-budget}.
     */
    public static List<String> starved(SfdResult res) {
        List<String> out = new java.util.ArrayList<>();
        for (SolverRun run : res.runs()) {
            String gap = Double.isFinite(run.gap()) ? String.format(Locale.ROOT, ", gap %.3f", run.gap()) : "";
            if (stoppedByTimeLimit(run)) {
                out.add("segmentation: " + run.solver() + " stopped at the --time-limit (" + run.status() + gap
                        + "); its answer depends on the machine's speed");
            } else if (run.stoppedAtWorkBudget()) {
                out.add("segmentation: " + run.solver() + " stopped at its --dp-budget (" + run.status() + gap
                        + "); the same answer on any machine");
            }
        }
        return out;
    }

    private static void writeDouble(JsonGenerator g, String field, double v) throws IOException {
        if (Double.isFinite(v)) {
            g.writeNumberField(field, v);
        } else {
            g.writeNullField(field);
        }
    }

    /** The SFD summary: segments, latency vs bound and layer by layer, DRAM vs compulsory, solver, stage times. */
    public static void printSfdSummary(PrintWriter out, Plan plan, SimulationResult r, LowerBounds.LowerBound bound,
                                       SfdSection sfd) {
        SfdResult res = sfd.result();
        out.printf(Locale.ROOT, "network        %s (batch %d) on %s, planner %s (%s)%n", plan.network().name(),
                plan.network().batch(), plan.hardware().name(), plan.planner(), plan.solverStatus());
        List<List<String>> segs = plan.segmentOperators();
        int longest = segs.stream().mapToInt(List::size).max().orElse(0);
        long fused = segs.stream().filter(s -> s.size() > 1).count();
        out.printf(Locale.ROOT, "segments       %d (%d fused, longest %d operators; %d tasks)%n", segs.size(), fused,
                longest, plan.taskCount());
        out.printf(Locale.ROOT, "  lengths      %s%n", abbreviate(segs.stream().map(s -> String.valueOf(s.size())).toList(), 40));
        int shown = 0;
        for (int i = 0; i < segs.size() && shown < SEGMENTS_SHOWN; i++) {
            if (segs.get(i).size() > 1) {
                List<String> s = segs.get(i);
                out.printf(Locale.ROOT, "  #%-4d %3d ops %s%n", i, s.size(), s.size() <= 3 ? String.join(", ", s)
                        : s.get(0) + ", " + s.get(1) + " ... " + s.get(s.size() - 1));
                shown++;
            }
        }
        if (fused > shown) {
            out.printf(Locale.ROOT, "  ... %d more fused segments (report.json lists all)%n", fused - shown);
        }
        printLatency(out, plan, r, bound);
        out.printf(Locale.ROOT, "layer by layer %,d cycles: speedup x%.2f%n", sfd.layerwise().cycles(), sfd.speedup(r));
        long dram = r.dramReadBytes() + r.dramWriteBytes();
        long lwDram = sfd.layerwise().dramReadBytes() + sfd.layerwise().dramWriteBytes();
        out.printf(Locale.ROOT, "DRAM           %,d bytes, compulsory %,d (x%.2f); layer by layer %,d%n", dram,
                bound.compulsoryBytes(), bound.compulsoryBytes() == 0 ? 0 : (double) dram / bound.compulsoryBytes(),
                lwDram);
        out.printf(Locale.ROOT, "energy         %.3f uJ (layer by layer %.3f uJ)%n", r.energy().totalPj() / 1e6,
                sfd.layerwise().energy().totalPj() / 1e6);
        out.printf(Locale.ROOT, "GLB peak       %,d of %,d bytes (%.1f%%)%n", r.peakBufferBytes(),
                plan.hardware().globalBuffer().capacityBytes(),
                100.0 * r.peakBufferBytes() / plan.hardware().globalBuffer().capacityBytes());
        if (!res.analyses().isEmpty()) {
            long predicted = res.analysedCycles();
            long predictedDram = res.analyses().stream().mapToLong(SegmentAnalyzer.Analysis::dramBytes).sum();
            out.printf(Locale.ROOT,
                    "analysis       %,d cycles predicted at tile level (%+.1f%% of simulated), DRAM %s%n",
                    predicted, r.cycles() == 0 ? 0 : 100.0 * (predicted - r.cycles()) / r.cycles(),
                    predictedDram == dram ? "bytes exact" : String.format(Locale.ROOT, "%,d bytes predicted",
                            predictedDram));
        }
        StringBuilder runs = new StringBuilder();
        for (SolverRun run : res.runs()) {
            runs.append(runs.length() == 0 ? "" : ", ").append(run.solver()).append(' ').append(run.status());
            if (Double.isFinite(run.gap()) && !"OPTIMAL".equals(run.status())) {
                runs.append(String.format(Locale.ROOT, " gap %.3f", run.gap()));
            }
            if (stoppedByTimeLimit(run)) {
                runs.append(" at the time limit");
            } else if (run.stoppedAtWorkBudget()) {
                runs.append(" at the work budget");
            }
            runs.append(String.format(Locale.ROOT, " %.1f s", run.wallMillis() / 1e3));
        }
        SfdResult.Prediction p = res.prediction();
        double error = r.cycles() == 0 ? 0 : (double) (p.latencyCycles() - r.cycles()) / r.cycles();
        // after a fallback the simulated plan is the layer-by-layer one: there is no error to measure
        String measured = res.fellBack() ? "for the plan not reported (fallback)"
                : String.format(Locale.ROOT, "%+.1f%% of simulated", 100 * error);
        out.printf(Locale.ROOT, "segmenter      %,d cycles predicted (%s), %s%s%n", p.latencyCycles(),
                p.priced() ? "every segment priced at tile level" : "additive model", measured,
                res.repairs().isEmpty() ? "" : ", before repairs");
        out.printf(Locale.ROOT, "solver         %s -> %s %s, model error %s (%s)%n", res.solverRequested(),
                res.solverUsed(), res.solverStatus(), res.fellBack() ? "not measured (fallback)"
                        : String.format(Locale.ROOT, "%+.1f%%", 100 * error), runs);
        if (!res.repairs().isEmpty()) {
            out.printf(Locale.ROOT, "repairs        %d fused segment(s) split by the scheduler (report.json 'repairs')%n",
                    res.repairs().size());
        }
        for (String s : starved(res)) {
            out.printf(Locale.ROOT, "STARVED        %s%n", s);
        }
        if (res.fellBack()) {
            out.printf(Locale.ROOT, "FALLBACK       layer-by-layer plan reported: %s%n", res.fallback());
        }
        StringBuilder times = new StringBuilder();
        long total = 0;
        for (Map.Entry<String, Long> e : sfd.stageMillis().entrySet()) {
            times.append(times.length() == 0 ? "" : ", ").append(e.getKey())
                    .append(String.format(Locale.ROOT, " %.1f s", e.getValue() / 1e3));
            total += e.getValue();
        }
        out.printf(Locale.ROOT, "time           %.1f s (%s)%n", total / 1e3, times);
        out.printf(Locale.ROOT, "violations     %d%n", r.violations().size());
        out.flush();
    }

    /** Fused segments listed by name in the summary. */
    static final int SEGMENTS_SHOWN = 8;

    private static String abbreviate(List<String> items, int max) {
        if (items.size() <= max) {
            return String.join(" ", items);
        }
        return String.join(" ", items.subList(0, max - 5)) + " ... " + String.join(" ",
                items.subList(items.size() - 5, items.size()));
    }

    /** A short human-readable summary. */
    /** The latency line: the plan's cycles against the lower bound and the utilisation-aware bound. */
    private static void printLatency(PrintWriter out, Plan plan, SimulationResult r, LowerBounds.LowerBound bound) {
        out.printf(Locale.ROOT, "latency        %,d cycles (%.3f ms), lower bound %,d (x%.2f), at the best "
                        + "utilisation per layer %,d (x%.2f)%n", r.cycles(), plan.hardware().seconds(r.cycles()) * 1e3,
                bound.latencyCycles(), ratio(r.cycles(), bound.latencyCycles()), bound.utilisationLatencyCycles(),
                ratio(r.cycles(), bound.utilisationLatencyCycles()));
    }

    private static double ratio(long cycles, long bound) {
        return bound == 0 ? 0 : (double) cycles / bound;
    }

    public static void printSummary(PrintWriter out, Plan plan, SimulationResult r, LowerBounds.LowerBound bound) {
        out.printf(Locale.ROOT, "network        %s (batch %d) on %s, planner %s (%s)%n", plan.network().name(),
                plan.network().batch(), plan.hardware().name(), plan.planner(), plan.solverStatus());
        out.printf(Locale.ROOT, "segments       %d (%d tasks)%n", plan.segments().size(), plan.taskCount());
        printLatency(out, plan, r, bound);
        out.printf(Locale.ROOT, "energy         %.3f uJ (MAC %.1f%%, vector %.1f%%, GLB %.1f%%, DRAM %.1f%%)%n",
                r.energy().totalPj() / 1e6, pct(r.energy().macPj(), r), pct(r.energy().vectorPj(), r),
                pct(r.energy().glbPj(), r), pct(r.energy().dramPj(), r));
        out.printf(Locale.ROOT, "DRAM           %,d bytes read, %,d bytes written%n", r.dramReadBytes(), r.dramWriteBytes());
        out.printf(Locale.ROOT, "GLB peak       %,d of %,d bytes%n", r.peakBufferBytes(),
                plan.hardware().globalBuffer().capacityBytes());
        out.printf(Locale.ROOT, "utilisation    PE %.1f%%, vector %.1f%%, DMA %.1f%%%n",
                100 * r.utilisation().get("PE_ARRAY"), 100 * r.utilisation().get("VECTOR"), 100 * r.utilisation().get("DMA"));
        out.printf(Locale.ROOT, "violations     %d%n", r.violations().size());
        out.flush();
    }

    private static double pct(double part, SimulationResult r) {
        double total = r.energy().totalPj();
        return total == 0 ? 0 : 100 * part / total;
    }
}
