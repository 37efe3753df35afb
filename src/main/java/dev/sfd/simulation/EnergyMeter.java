package dev.sfd.simulation;

import dev.sfd.cost.EnergyBreakdown;
import dev.sfd.hardware.Hardware;

/**
 * Energy the simulator counts as the plan runs, by component, from the hardware record's constants: MACs and
 * register-file accesses (activation and weight bytes per MAC), vector operations, buffer reads and writes on
 * the array side (every step's operands and output) and on the DRAM side (every transfer), DRAM reads and writes,
 * and leakage over the cycles.
 */
final class EnergyMeter {
    private final Hardware hw;
    private double macPj;
    private double vectorPj;
    private double glbPj;
    private double dramPj;
    private double peAccessPj;

    EnergyMeter(Hardware hw) {
        this.hw = hw;
    }

    void macs(long count) {
        macPj += count * hw.energy().macPj();
        peAccessPj += count * (hw.dataWidths().activationBits() + hw.dataWidths().weightBits()) / 8.0
                * hw.energy().peAccessPjPerByte();
    }

    void vectorOps(double count) {
        vectorPj += count * hw.energy().vectorOpPj();
    }

    /** A step's traffic through the buffer port. */
    void port(long readBytes, long writeBytes) {
        glbPj += readBytes * hw.globalBuffer().readEnergyPjPerByte()
                + writeBytes * hw.globalBuffer().writeEnergyPjPerByte();
    }

    /** A load: DRAM read, buffer write. */
    void load(long bytes) {
        dramPj += bytes * hw.dram().readEnergyPjPerByte();
        glbPj += bytes * hw.globalBuffer().writeEnergyPjPerByte();
    }

    /** A store: buffer read, DRAM write. */
    void store(long bytes) {
        dramPj += bytes * hw.dram().writeEnergyPjPerByte();
        glbPj += bytes * hw.globalBuffer().readEnergyPjPerByte();
    }

    /** Dynamic energy so far (no leakage). */
    double dynamicPj() {
        return macPj + vectorPj + glbPj + dramPj + peAccessPj;
    }

    double leakagePj(long cycles) {
        return hw.energy().leakagePjPerCycle() * cycles;
    }

    EnergyBreakdown breakdown(long cycles) {
        return new EnergyBreakdown(macPj, vectorPj, glbPj, dramPj, peAccessPj, leakagePj(cycles));
    }
}
