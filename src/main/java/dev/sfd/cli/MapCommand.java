package dev.sfd.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sfd.common.AtomicFiles;
import dev.sfd.common.InvalidInputException;
import dev.sfd.cost.LayerCost;
import dev.sfd.cost.Mapping;
import dev.sfd.hardware.Hardware;
import dev.sfd.hardware.HardwareCatalog;
import dev.sfd.mapping.Mapper;
import dev.sfd.mapping.MappingChoice;
import dev.sfd.mapping.MappingInfeasibleException;
import dev.sfd.mapping.NetworkMapper;
import dev.sfd.mapping.NetworkMapping;
import dev.sfd.mapping.ParetoFront;
import dev.sfd.mapping.cpsat.CpSatSettings;
import dev.sfd.workload.LoopDim;
import dev.sfd.workload.Network;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/** {@code sfd map}: the Pareto front of every compute layer, and the best mapping of each at full GLB capacity. */
@Command(name = "map", mixinStandardHelpOptions = true,
        description = "Map every compute layer of a network: per layer the Pareto front of (footprint, cycles, DRAM"
                + " bytes) and the best mapping at full GLB capacity.")
public final class MapCommand implements Callable<Integer> {
    @Mixin
    NetworkArgs networkArgs = new NetworkArgs();

    @Option(names = "--hw", required = true, paramLabel = "HARDWARE", description = "preset (edge, cloud, ...) or file")
    String hardware;

    @Mixin
    MapperArgs mapperArgs = new MapperArgs();

    @Option(names = "--json", paramLabel = "FILE", description = "write the fronts and best mappings as JSON")
    Path json;

    @Option(names = "--chart", paramLabel = "FILE",
            description = "write a PNG chart of one layer's Pareto front (footprint vs latency)")
    Path chart;

    @Option(names = "--layer", paramLabel = "NAME",
            description = "the layer --chart draws (default: the layer with the most front points)")
    String layer;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            Network net = networkArgs.load().network();
            Hardware hw = HardwareCatalog.resolve(hardware);
            CpSatSettings settings = mapperArgs.settings();
            Mapper mapper = mapperArgs.mapper(settings);
            int t = mapperArgs.threads(settings);
            if (layer != null && chart == null) {
                throw new InvalidInputException("--layer", "has value (" + layer + "); it only applies with --chart");
            }
            if (layer != null && net.operators().stream().noneMatch(o -> o.name().equals(layer))) {
                String guess = dev.sfd.common.Fields.closest(layer,
                        net.operators().stream().map(o -> o.name()).toList());
                throw new InvalidInputException("--layer", "has value (" + layer + "); no operator of " + net.name()
                        + " has that name" + (guess == null ? "" : "\n  Maybe you meant '" + guess + "'."));
            }
            NetworkMapping result = NetworkMapper.map(mapper, net, hw, t);
            print(out, net, result);
            if (json != null) {
                AtomicFiles.writeString(json, toJson(result));
                out.println("Wrote " + json);
            }
            if (chart != null) {
                dev.sfd.mapping.ParetoFront front = result.fronts().stream()
                        .filter(f -> layer == null || f.operator().equals(layer))
                        .max(java.util.Comparator.comparingInt(f -> f.points().size())).orElse(null);
                if (front == null) {
                    throw new InvalidInputException("--layer", "has value (" + layer + "); it is a layout operator "
                            + "and has no mapping");
                }
                AtomicFiles.write(chart, dev.sfd.report.Charts.paretoFront("Pareto front of " + front.operator()
                        + " (" + net.name() + " on " + hw.name() + ", mapper " + result.mapper() + ")", front,
                        result.capacityBytes()));
                out.println("Wrote " + chart + " (front of " + front.operator() + ")");
            }
            out.flush();
            return 0;
        } catch (InvalidInputException e) {
            err.println(e.getMessage());
            err.flush();
            return 2;
        } catch (MappingInfeasibleException e) {
            err.println(e.getMessage());
            err.flush();
            return 1;
        }
    }

    static String unroll(Mapping m) {
        Mapping.SpatialUnroll u = m.spatial();
        if (u.rowFactor() == 1 && u.colFactor() == 1) {
            return "-";
        }
        return u.rowDim().name() + u.rowFactor() + "x" + u.colDim().name() + u.colFactor();
    }

    static String tiles(Mapping m, Network net) {
        var nest = net.loopNest(m.operator()).orElseThrow();
        return nest.activeDims().stream().map(d -> d + "=" + m.tile(d)).collect(Collectors.joining(" "));
    }

    static String order(Mapping m, Network net) {
        var nest = net.loopNest(m.operator()).orElseThrow();
        return m.outerOrder().stream().filter(d -> nest.bound(d) > 1).map(LoopDim::name).collect(Collectors.joining());
    }

    private void print(PrintWriter out, Network net, NetworkMapping r) {
        out.printf("Mapping %s on %s with %s (GLB %d bytes)%n", r.network(), r.hardware(), r.mapper(), r.capacityBytes());
        out.printf("%-40s %-14s %-34s %-9s %6s %12s %12s %-7s %5s%n", "layer", "unroll", "tiles", "order", "util%",
                "cycles", "DRAM bytes", "bound", "front");
        List<MappingChoice> best = r.bestAtCapacity();
        for (int i = 0; i < best.size(); i++) {
            MappingChoice c = best.get(i);
            LayerCost cost = c.cost();
            out.printf("%-40s %-14s %-34s %-9s %6.1f %12d %12d %-7s %5d%n", c.mapping().operator(), unroll(c.mapping()),
                    tiles(c.mapping(), net), order(c.mapping(), net), 100 * cost.peUtilization(), cost.latencyCycles(),
                    cost.dramBytes(), cost.computeBound() ? "compute" : "memory", r.fronts().get(i).points().size());
        }
        out.printf("Layer-by-layer total: %d cycles, %d DRAM bytes, %.3f mJ%n", r.layerByLayerCycles(),
                r.layerByLayerDramBytes(), r.layerByLayerEnergyPj() * 1e-9);
        out.printf("%d compute layers, %d distinct shapes, mapped in %d ms%n", r.fronts().size(), r.uniqueShapes(),
                r.elapsedMillis());
    }

    private String toJson(NetworkMapping r) {
        ObjectMapper om = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = om.createObjectNode();
        root.put("format", "sfd-map/1");
        root.put("network", r.network());
        root.put("hardware", r.hardware());
        root.put("mapper", r.mapper());
        root.put("capacityBytes", r.capacityBytes());
        root.put("elapsedMillis", r.elapsedMillis());
        root.put("uniqueShapes", r.uniqueShapes());
        ObjectNode totals = root.putObject("layerByLayer");
        totals.put("latencyCycles", r.layerByLayerCycles());
        totals.put("dramBytes", r.layerByLayerDramBytes());
        totals.put("energyPj", r.layerByLayerEnergyPj());
        ArrayNode layers = root.putArray("layers");
        for (ParetoFront f : r.fronts()) {
            ObjectNode l = layers.addObject();
            l.put("operator", f.operator());
            l.put("minFootprintBytes", f.minFootprintBytes());
            l.put("solveMillis", f.solveMillis());
            l.set("best", choice(om, f.best(r.capacityBytes()).orElseThrow()));
            ArrayNode pts = l.putArray("front");
            f.points().forEach(p -> pts.add(choice(om, p)));
        }
        try {
            return om.writeValueAsString(root) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ObjectNode choice(ObjectMapper om, MappingChoice c) {
        ObjectNode n = om.createObjectNode();
        Mapping m = c.mapping();
        ObjectNode tile = n.putObject("tile");
        for (LoopDim d : LoopDim.values()) {
            tile.put(d.name(), m.tile(d));
        }
        ObjectNode sp = n.putObject("spatial");
        sp.put("rowDim", m.spatial().rowDim().name());
        sp.put("rowFactor", m.spatial().rowFactor());
        sp.put("colDim", m.spatial().colDim().name());
        sp.put("colFactor", m.spatial().colFactor());
        ArrayNode order = n.putArray("outerOrder");
        m.outerOrder().forEach(d -> order.add(d.name()));
        n.put("doubleBuffered", m.doubleBuffered());
        LayerCost k = c.cost();
        n.put("footprintBytes", k.footprintBytes());
        n.put("latencyCycles", k.latencyCycles());
        n.put("computeCycles", k.computeCycles());
        n.put("dramReadBytes", k.dramReadBytes());
        n.put("dramWriteBytes", k.dramWriteBytes());
        n.put("tiles", k.tiles());
        n.put("peUtilization", k.peUtilization());
        n.put("computeBound", k.computeBound());
        n.put("energyPj", k.energy().totalPj());
        n.put("optimality", c.optimality().name());
        return n;
    }
}
