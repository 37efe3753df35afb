package dev.sfd.hardware;

import java.util.Objects;

/**
 * A spatial accelerator. Made of {@code cores} identical cores (each a PE array, a vector unit and a global
 * buffer) sharing DRAM through a network-on-chip; a single-core accelerator is the one-core case. Units are
 * in the names: cycles are cycles of {@code clockGHz}.
 *
 * @param name preset or file name
 * @param source where the figures come from
 * @param clockGHz core clock
 * @param cores number of cores (the planners support 1 today)
 * @param peArray the MAC array of one core
 * @param vectorUnit the non-MAC unit of one core
 * @param globalBuffer the on-chip buffer of one core
 * @param dram off-chip memory shared by all cores
 * @param noc on-chip network between cores (zero bandwidth when there is one core)
 * @param dataWidths bits per element of each tensor class
 * @param energy energy per operation
 */
public record Hardware(String name, String source, double clockGHz, int cores, PeArray peArray,
                       VectorUnit vectorUnit, GlobalBuffer globalBuffer, Dram dram, Noc noc, DataWidths dataWidths,
                       Energy energy) {
    public Hardware {
        Objects.requireNonNull(name, "name");
        source = source == null ? "" : source;
        Objects.requireNonNull(peArray, "peArray");
        Objects.requireNonNull(vectorUnit, "vectorUnit");
        Objects.requireNonNull(globalBuffer, "globalBuffer");
        Objects.requireNonNull(dram, "dram");
        Objects.requireNonNull(noc, "noc");
        Objects.requireNonNull(dataWidths, "dataWidths");
        Objects.requireNonNull(energy, "energy");
    }

    /** PE array of one core. */
    public record PeArray(int rows, int cols, int macsPerPe) {
        public long macsPerCycle() {
            return (long) rows * cols * macsPerPe;
        }
    }

    /** Vector unit of one core: elementwise, pooling, softmax and normalisation ops. */
    public record VectorUnit(int opsPerCycle) {
    }

    /** Global buffer of one core. */
    public record GlobalBuffer(long capacityBytes, double bandwidthBytesPerCycle, double readEnergyPjPerByte,
                               double writeEnergyPjPerByte) {
    }

    /** Off-chip DRAM: bandwidth in bytes per core-clock cycle, a fixed access latency, energy per byte. */
    public record Dram(double bandwidthBytesPerCycle, int latencyCycles, double readEnergyPjPerByte,
                       double writeEnergyPjPerByte, int dmaEngines) {
    }

    /** Network-on-chip between cores (unused with one core). */
    public record Noc(double bandwidthBytesPerCycle, int hopLatencyCycles, double energyPjPerByte) {
        public static final Noc NONE = new Noc(0, 0, 0);
    }

    /** Bits per element: activations, weights, and partial sums kept on chip between reduction steps. */
    public record DataWidths(int activationBits, int weightBits, int accumulatorBits) {
        public double activationBytes() {
            return activationBits / 8.0;
        }

        public double weightBytes() {
            return weightBits / 8.0;
        }

        public double accumulatorBytes() {
            return accumulatorBits / 8.0;
        }
    }

    /** Energy of one MAC, one vector op, and one byte moved between the buffer and the PE array. */
    public record Energy(double macPj, double vectorOpPj, double peAccessPjPerByte, double leakagePjPerCycle) {
    }

    /** Peak MACs per cycle of the whole accelerator. */
    public long peakMacsPerCycle() {
        return peArray.macsPerCycle() * cores;
    }

    /** Peak vector ops per cycle of the whole accelerator. */
    public long peakVectorOpsPerCycle() {
        return (long) vectorUnit.opsPerCycle() * cores;
    }

    /** Bytes of one element of a tensor of the given class. */
    public double bytesPerElement(boolean weight) {
        return weight ? dataWidths.weightBytes() : dataWidths.activationBytes();
    }

    /** Cycles to seconds. */
    public double seconds(double cycles) {
        return cycles / (clockGHz * 1e9);
    }
}
