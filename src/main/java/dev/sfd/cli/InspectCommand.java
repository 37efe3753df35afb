package dev.sfd.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.sfd.common.AtomicFiles;
import dev.sfd.cost.LowerBounds;
import dev.sfd.hardware.Hardware;
import dev.sfd.hardware.HardwareCatalog;
import dev.sfd.workload.Network;
import dev.sfd.workload.Operator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code sfd inspect}: per-layer statistics and lower bounds of a network on an accelerator. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Shows each layer's shape, MACs, weight and activation bytes, arithmetic intensity, "
                + "standalone bound and lower-bound cycles, and the network totals.")
public final class InspectCommand implements Callable<Integer> {

    @picocli.CommandLine.Mixin
    NetworkArgs networkArgs = new NetworkArgs();

    @Option(names = "--hw", required = true, paramLabel = "HARDWARE",
            description = "Hardware preset (edge, cloud, ...) or a hardware file.")
    String hardware;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the data as JSON (docs/json-output.md).")
    Path json;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        NetworkArgs.Loaded loaded = networkArgs.load();
        Network net = loaded.network();
        Hardware hw = HardwareCatalog.resolve(hardware);
        NetworkSummary summary = NetworkSummary.of(net, hw);
        PrintWriter out = spec.commandLine().getOut();
        summary.print(out);
        printImportNotes(out, loaded);
        out.flush();
        if (json != null) {
            AtomicFiles.writeString(json, toJson(summary));
            out.println("wrote " + json);
        }
        return SfdCommand.OK;
    }

    private static void printImportNotes(PrintWriter out, NetworkArgs.Loaded loaded) {
        if (!loaded.folded().isEmpty()) {
            out.printf("%nfolded nodes (%d):%n", loaded.folded().size());
            loaded.folded().forEach(f -> out.println("  " + f));
        }
        if (!loaded.approximated().isEmpty()) {
            out.printf("%napproximated nodes (%d):%n", loaded.approximated().size());
            loaded.approximated().forEach(a -> out.println("  " + a));
        }
    }

    static String toJson(NetworkSummary s) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("network", s.network());
        root.put("hardware", s.hardware());
        root.put("batch", s.batch());
        root.put("operatorCount", s.layers().size());
        root.put("totalMacs", s.totalMacs());
        root.put("totalVectorOps", s.totalVectorOps());
        root.put("totalParameters", s.totalParameters());
        root.put("totalWeightBytes", s.totalWeightBytes());
        root.put("compulsoryDramBytes", s.bound().compulsoryBytes());
        root.put("computeBoundCycles", s.bound().computeCycles());
        root.put("trafficBoundCycles", s.bound().trafficCycles());
        root.put("lowerBoundCycles", s.bound().latencyCycles());
        root.put("boundType", s.bound().memoryBound() ? "memory" : "compute");
        List<Map<String, Object>> layers = new ArrayList<>();
        for (NetworkSummary.Layer l : s.layers()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", l.name());
            m.put("kind", l.kind());
            m.put("description", l.description());
            m.put("outputShape", l.outputShape());
            m.put("macs", l.macs());
            m.put("vectorOps", l.vectorOps());
            m.put("weightBytes", l.weightBytes());
            m.put("inputBytes", l.inputBytes());
            m.put("outputBytes", l.outputBytes());
            m.put("arithmeticIntensity", l.arithmeticIntensity());
            m.put("boundType", l.boundType());
            m.put("lowerBoundCycles", l.lowerBoundCycles());
            layers.add(m);
        }
        root.put("layers", layers);
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The data behind {@code inspect}, independent of how it is printed. */
    record NetworkSummary(String network, String hardware, int batch, List<Layer> layers, long totalMacs,
                          long totalVectorOps, long totalParameters, long totalWeightBytes,
                          LowerBounds.LowerBound bound) {

        record Layer(String name, String kind, String description, List<Integer> outputShape, long macs,
                     long vectorOps, long weightBytes, long inputBytes, long outputBytes, double arithmeticIntensity,
                     String boundType, long lowerBoundCycles) {
        }

        static NetworkSummary of(Network net, Hardware hw) {
            List<Layer> layers = new ArrayList<>();
            for (Operator op : net.operators()) {
                LowerBounds.LowerBound b = LowerBounds.ofOperator(net, op, hw);
                long weightBytes = 0;
                for (String w : op.weights()) {
                    weightBytes += (long) Math.ceil(LowerBounds.weightElementsRead(net, op, w)
                            * hw.dataWidths().weightBytes());
                }
                long inBytes = 0;
                for (String in : op.inputs()) {
                    inBytes += LowerBounds.activationBytes(net.tensor(in), hw);
                }
                long outBytes = 0;
                for (String o : op.outputs()) {
                    outBytes += LowerBounds.activationBytes(net.tensor(o), hw);
                }
                long work = net.macs(op) + net.vectorOps(op);
                long bytes = weightBytes + inBytes + outBytes;
                double intensity = bytes == 0 ? 0 : (double) work / bytes;
                String bound = op.kind().isLayout() ? "layout" : (b.memoryBound() ? "memory" : "compute");
                layers.add(new Layer(op.name(), op.kind().id(), op.describe(), net.tensor(op.output()).shape(),
                        net.macs(op), net.vectorOps(op), weightBytes, inBytes, outBytes, intensity, bound,
                        b.latencyCycles()));
            }
            long weightBytes = (long) Math.ceil(net.totalParameters() * hw.dataWidths().weightBytes());
            return new NetworkSummary(net.name(), hw.name(), net.batch(), layers, net.totalMacs(), net.totalVectorOps(),
                    net.totalParameters(), weightBytes, LowerBounds.of(net, hw));
        }

        void print(PrintWriter out) {
            out.printf("%s on %s (batch %d): %d operators%n%n", network, hardware, batch, layers.size());
            int nameWidth = 10;
            for (Layer l : layers) {
                nameWidth = Math.max(nameWidth, Math.min(40, l.name().length()));
            }
            String fmt = "%-" + nameWidth + "s  %-16s %-18s %14s %12s %12s %12s %8s %-8s %12s%n";
            out.printf(fmt, "layer", "kind", "output", "MACs", "weight B", "in B", "out B", "MAC/B", "bound",
                    "LB cycles");
            for (Layer l : layers) {
                String name = l.name().length() > 40 ? "…" + l.name().substring(l.name().length() - 39) : l.name();
                out.printf(fmt, name, l.description(), l.outputShape().toString().replace(" ", ""),
                        Format.count(l.macs()), Format.count(l.weightBytes()), Format.count(l.inputBytes()),
                        Format.count(l.outputBytes()), String.format("%.1f", l.arithmeticIntensity()), l.boundType(),
                        Format.count(l.lowerBoundCycles()));
            }
            out.println();
            out.printf("total MACs            %s%n", Format.count(totalMacs));
            out.printf("total vector ops      %s%n", Format.count(totalVectorOps));
            out.printf("parameters            %s (%s bytes)%n", Format.count(totalParameters),
                    Format.count(totalWeightBytes));
            out.printf("compulsory DRAM bytes %s%n", Format.count(bound.compulsoryBytes()));
            out.printf("lower bound           %s cycles (%s-bound: compute %s, traffic %s)%n",
                    Format.count(bound.latencyCycles()), bound.memoryBound() ? "memory" : "compute",
                    Format.count(bound.computeCycles()), Format.count(bound.trafficCycles()));
        }
    }
}
