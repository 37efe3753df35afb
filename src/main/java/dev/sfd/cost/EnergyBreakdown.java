package dev.sfd.cost;

/**
 * Energy by component, in picojoules: one breakdown for the cost model, the segment analyser, the reports and the
 * simulator.
 *
 * @param macPj multiply-accumulates on the PE array
 * @param vectorPj vector-unit operations
 * @param glbPj global-buffer reads and writes (DRAM fills and drains, and every step's operands on the array side)
 * @param dramPj DRAM reads and writes
 * @param peAccessPj operand accesses inside the PE array (register files), per MAC
 * @param leakagePj static energy over the cycles run
 */
public record EnergyBreakdown(double macPj, double vectorPj, double glbPj, double dramPj, double peAccessPj,
                              double leakagePj) {
    public static final EnergyBreakdown ZERO = new EnergyBreakdown(0, 0, 0, 0, 0, 0);

    public double totalPj() {
        return macPj + vectorPj + glbPj + dramPj + peAccessPj + leakagePj;
    }

    public EnergyBreakdown plus(EnergyBreakdown o) {
        return new EnergyBreakdown(macPj + o.macPj, vectorPj + o.vectorPj, glbPj + o.glbPj, dramPj + o.dramPj,
                peAccessPj + o.peAccessPj, leakagePj + o.leakagePj);
    }
}
