package dev.sfd.simulation;

/**
 * Energy by component, in picojoules.
 *
 * @param macPj multiply-accumulates on the PE array
 * @param vectorPj vector-unit operations
 * @param glbPj global-buffer reads and writes
 * @param dramPj DRAM reads and writes
 * @param leakagePj static energy over the run
 */
public record EnergyBreakdown(double macPj, double vectorPj, double glbPj, double dramPj, double leakagePj) {
    public double totalPj() {
        return macPj + vectorPj + glbPj + dramPj + leakagePj;
    }
}
