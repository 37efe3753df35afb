package dev.sfd.mapping;

import java.util.List;
import java.util.Objects;

/**
 * The fronts of all compute layers of a network, in topological order (layout operators have no mapping).
 *
 * @param network network name
 * @param hardware hardware name
 * @param mapper mapper name
 * @param capacityBytes GLB capacity the fronts go up to
 * @param fronts one per compute layer, topological order
 * @param uniqueShapes number of distinct layer shapes actually mapped
 * @param elapsedMillis wall time of the whole mapping
 */
public record NetworkMapping(String network, String hardware, String mapper, long capacityBytes,
                             List<ParetoFront> fronts, int uniqueShapes, long elapsedMillis) {
    public NetworkMapping {
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(hardware, "hardware");
        Objects.requireNonNull(mapper, "mapper");
        fronts = List.copyOf(fronts);
    }

    /** The best mapping of every layer at full GLB capacity, topological order. */
    public List<MappingChoice> bestAtCapacity() {
        return fronts.stream().map(f -> f.best(capacityBytes).orElseThrow()).toList();
    }

    /** Cycles of layer-by-layer execution: the sum of each layer's best latency at full capacity. */
    public long layerByLayerCycles() {
        return bestAtCapacity().stream().mapToLong(MappingChoice::latencyCycles).sum();
    }

    /** DRAM bytes of layer-by-layer execution. */
    public long layerByLayerDramBytes() {
        return bestAtCapacity().stream().mapToLong(MappingChoice::dramBytes).sum();
    }

    /** Energy of layer-by-layer execution, picojoules. */
    public double layerByLayerEnergyPj() {
        return bestAtCapacity().stream().mapToDouble(c -> c.cost().energy().totalPj()).sum();
    }
}
