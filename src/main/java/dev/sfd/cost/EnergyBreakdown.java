package dev.sfd.cost;

/**
 * Energy of one layer by component, in picojoules.
 *
 * @param macPj multiply-accumulates on the PE array
 * @param vectorPj vector-unit operations
 * @param glbPj global-buffer reads and writes (DRAM fills and drains, and the array side)
 * @param dramPj DRAM reads and writes
 * @param peAccessPj operand accesses inside the PE array (register files)
 */
public record EnergyBreakdown(double macPj, double vectorPj, double glbPj, double dramPj, double peAccessPj) {
    public static final EnergyBreakdown ZERO = new EnergyBreakdown(0, 0, 0, 0, 0);

    public double totalPj() {
        return macPj + vectorPj + glbPj + dramPj + peAccessPj;
    }

    public EnergyBreakdown plus(EnergyBreakdown o) {
        return new EnergyBreakdown(macPj + o.macPj, vectorPj + o.vectorPj, glbPj + o.glbPj, dramPj + o.dramPj,
                peAccessPj + o.peAccessPj);
    }
}
