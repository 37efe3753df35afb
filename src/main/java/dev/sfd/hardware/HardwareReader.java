package dev.sfd.hardware;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sfd.common.Fields;
import dev.sfd.common.InputFiles;
import dev.sfd.common.InvalidInputException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads and validates a hardware file ({@code sfd-hardware/1}, YAML or JSON; see docs/hardware-format.md).
 * Every problem is reported with the file, the section, the field and the value.
 */
public final class HardwareReader {
    public static final String FORMAT = "sfd-hardware/1";
    /** Slowest and fastest core clock, GHz (1 MHz to 1 THz). */
    public static final double MIN_CLOCK_GHZ = 1e-3;
    public static final double MAX_CLOCK_GHZ = 1e3;
    /** Largest PE array side (rows, cols). */
    public static final int MAX_PE_SIDE = 4096;
    /** Most MACs per PE per cycle. */
    public static final int MAX_MACS_PER_PE = 1024;
    /** Most vector-unit operations per cycle. */
    public static final int MAX_VECTOR_OPS = 1 << 20;
    /** Largest buffer: 1 TiB. */
    public static final long MAX_CAPACITY_BYTES = 1L << 40;
    /** Narrowest and widest bandwidth (GLB, DRAM, NoC), bytes per core cycle. */
    public static final double MIN_BANDWIDTH = 1e-3;
    public static final double MAX_BANDWIDTH = 1e6;
    /** Longest DRAM or NoC hop latency, cycles. */
    public static final long MAX_LATENCY_CYCLES = 1_000_000;
    /** Most DMA engines. */
    public static final int MAX_DMA_ENGINES = 64;
    /** Largest energy of one operation (or one byte moved, or one cycle of leakage), pJ. */
    public static final double MAX_ENERGY_PJ = 1e9;

    private HardwareReader() {
    }

    public static Hardware read(Path file) {
        byte[] bytes = InputFiles.read(file, InputFiles.MAX_TEXT_BYTES, "hardware file");
        return build(file.toString(), InputFiles.parse(file.toString(), bytes, InputFiles.Syntax.of(file.toString())));
    }

    public static Hardware parse(String source, String text) {
        return build(source, InputFiles.parse(source, text, InputFiles.Syntax.of(source)));
    }

    private static Hardware build(String source, JsonNode root) {
        if (root == null || !root.isObject()) {
            boolean empty = root == null || root.isMissingNode() || root.isNull();
            throw new InvalidInputException(source, "must contain a hardware description (a map with 'name', "
                    + "'peArray', 'globalBuffer', 'dram', ...); found " + (empty ? "nothing (the file is empty)"
                    : root.getNodeType().toString().toLowerCase(Locale.ROOT)));
        }
        List<String> problems = new ArrayList<>();
        Fields top = new Fields(root, "hardware", problems);
        Hardware hw = read(top, "", true);
        if (!problems.isEmpty()) {
            throw new InvalidInputException(source, problems);
        }
        return hw;
    }

    /**
     * Reads and checks a hardware description from {@code top}, adding every problem to its problem list (the
     * caller throws). The same rules apply to hardware files and to the hardware record embedded in a plan.
     *
     * @param sectionPrefix prefix of section names in messages ({@code ""} in a hardware file, {@code "hardware."}
     *     in a plan)
     * @param file whether this is a hardware file (which may also have {@code format} and {@code description})
     * @return the hardware, or null when there were problems
     */
    public static Hardware read(Fields top, String sectionPrefix, boolean file) {
        List<String> known = new ArrayList<>(List.of("name", "source", "clockGHz", "cores", "peArray",
                "vectorUnit", "globalBuffer", "dram", "noc", "dataWidths", "energy"));
        if (file) {
            known.addAll(List.of("format", "description"));
            String format = top.string("format", FORMAT, false);
            if (!FORMAT.equals(format)) {
                top.problem("format", "has value (" + format + "); this version reads " + FORMAT);
            }
        }
        top.rejectUnknown(Set.copyOf(known));
        String name = top.string("name", null, true);
        String sourceText = top.string("source", "", false);
        double clock = top.number("clockGHz", 1.0, true);
        clock = inRange(top, "clockGHz", clock, MIN_CLOCK_GHZ, MAX_CLOCK_GHZ, 1.0,
                "\n  Maybe the clock is in MHz or Hz: clockGHz: 1 is 1 GHz.");
        int cores = top.integer("cores", 1, false);
        if (cores != 1) {
            top.problem("cores", "has value (" + cores + "); only single-core accelerators can be planned today"
                    + "\n  Maybe describe one core and its share of DRAM bandwidth.");
        }

        Hardware.PeArray pe = null;
        Fields f = top.object("peArray", "section '" + sectionPrefix + "peArray'", true);
        if (f != null) {
            f.rejectUnknown(Set.of("rows", "cols", "macsPerPe"));
            pe = new Hardware.PeArray(positiveInt(f, "rows", true, 0, MAX_PE_SIDE),
                    positiveInt(f, "cols", true, 0, MAX_PE_SIDE), positiveInt(f, "macsPerPe", false, 1, MAX_MACS_PER_PE));
        }
        Hardware.VectorUnit vu = null;
        f = top.object("vectorUnit", "section '" + sectionPrefix + "vectorUnit'", true);
        if (f != null) {
            f.rejectUnknown(Set.of("opsPerCycle"));
            vu = new Hardware.VectorUnit(positiveInt(f, "opsPerCycle", true, 0, MAX_VECTOR_OPS));
        }
        Hardware.GlobalBuffer glb = null;
        f = top.object("globalBuffer", "section '" + sectionPrefix + "globalBuffer'", true);
        if (f != null) {
            f.rejectUnknown(Set.of("capacityBytes", "capacityKiB", "capacityMiB", "bandwidthBytesPerCycle",
                    "readEnergyPjPerByte", "writeEnergyPjPerByte"));
            long capacity = capacity(f);
            double bw = f.number("bandwidthBytesPerCycle", 0, true);
            bw = bandwidth(f, "bandwidthBytesPerCycle", bw, "");
            glb = new Hardware.GlobalBuffer(capacity, bw, energy(f, "readEnergyPjPerByte", true),
                    energy(f, "writeEnergyPjPerByte", true));
        }
        Hardware.Dram dram = null;
        f = top.object("dram", "section '" + sectionPrefix + "dram'", true);
        if (f != null) {
            f.rejectUnknown(Set.of("bandwidthGBps", "bandwidthBytesPerCycle", "latencyCycles", "readEnergyPjPerByte",
                    "writeEnergyPjPerByte", "dmaEngines"));
            double bw;
            if (f.has("bandwidthGBps") && f.has("bandwidthBytesPerCycle")) {
                f.problem("gives both 'bandwidthGBps' (" + f.node().get("bandwidthGBps")
                        + ") and 'bandwidthBytesPerCycle' (" + f.node().get("bandwidthBytesPerCycle")
                        + "); give exactly one of 'bandwidthGBps' and 'bandwidthBytesPerCycle'");
                bw = 1;
            } else if (!f.has("bandwidthGBps") && !f.has("bandwidthBytesPerCycle")) {
                f.problem("is missing its bandwidth; give exactly one of 'bandwidthGBps' and "
                        + "'bandwidthBytesPerCycle'");
                bw = 1;
            } else if (f.has("bandwidthGBps")) {
                double gbps = f.number("bandwidthGBps", 1, true);
                positive(f, "bandwidthGBps", gbps);
                bw = gbps > 0 ? bandwidth(f, "bandwidthGBps", gbps / clock, " (bandwidthGBps / clockGHz = "
                        + show(gbps) + " / " + show(clock) + " bytes per cycle)") : 1;
            } else {
                bw = f.number("bandwidthBytesPerCycle", 1, true);
                bw = bandwidth(f, "bandwidthBytesPerCycle", bw, "");
            }
            long latency = f.longInRange("latencyCycles", 0, 0, MAX_LATENCY_CYCLES, false);
            dram = new Hardware.Dram(bw, (int) latency, energy(f, "readEnergyPjPerByte", true),
                    energy(f, "writeEnergyPjPerByte", true), positiveInt(f, "dmaEngines", false, 1, MAX_DMA_ENGINES));
        }
        Hardware.Noc noc = Hardware.Noc.NONE;
        f = top.object("noc", "section '" + sectionPrefix + "noc'", false);
        if (f != null) {
            f.rejectUnknown(Set.of("bandwidthBytesPerCycle", "hopLatencyCycles", "energyPjPerByte"));
            long hopLatency = f.longInRange("hopLatencyCycles", 0, 0, MAX_LATENCY_CYCLES, false);
            double nocBw = f.number("bandwidthBytesPerCycle", 0, true);
            if (nocBw != 0) {
                nocBw = bandwidth(f, "bandwidthBytesPerCycle", nocBw, "");
            }
            noc = new Hardware.Noc(nocBw, (int) hopLatency, energy(f, "energyPjPerByte", false));
        }
        Hardware.DataWidths widths = null;
        f = top.object("dataWidths", "section '" + sectionPrefix + "dataWidths'", true);
        if (f != null) {
            f.rejectUnknown(Set.of("activationBits", "weightBits", "accumulatorBits"));
            widths = new Hardware.DataWidths(bits(f, "activationBits"), bits(f, "weightBits"), bits(f, "accumulatorBits"));
        }
        Hardware.Energy energy = null;
        f = top.object("energy", "section '" + sectionPrefix + "energy'", true);
        if (f != null) {
            f.rejectUnknown(Set.of("macPj", "vectorOpPj", "peAccessPjPerByte", "leakagePjPerCycle"));
            energy = new Hardware.Energy(energy(f, "macPj", true), energy(f, "vectorOpPj", true),
                    energy(f, "peAccessPjPerByte", false), energy(f, "leakagePjPerCycle", false));
        }
        if (name == null || pe == null || vu == null || glb == null || dram == null || widths == null
                || energy == null) {
            return null;
        }
        return new Hardware(name, sourceText, clock, cores, pe, vu, glb, dram, noc, widths, energy);
    }

    private static long capacity(Fields f) {
        List<String> given = new ArrayList<>();
        for (String field : List.of("capacityBytes", "capacityKiB", "capacityMiB")) {
            if (f.has(field)) {
                given.add("'" + field + "' (" + f.node().get(field) + ")");
            }
        }
        if (given.size() != 1) {
            f.problem((given.isEmpty() ? "is missing its capacity" : "gives both " + String.join(" and ", given))
                    + "; give exactly one of 'capacityBytes', 'capacityKiB' and 'capacityMiB'");
            return 1;
        }
        String field = f.has("capacityBytes") ? "capacityBytes" : f.has("capacityKiB") ? "capacityKiB" : "capacityMiB";
        long scale = field.equals("capacityBytes") ? 1 : field.equals("capacityKiB") ? 1024 : 1024 * 1024;
        double value = f.number(field, 1, true);
        if (!f.node().get(field).isNumber() || !Double.isFinite(value)) {
            return 1; // reported by number()
        }
        if (value <= 0) {
            f.problem(field, "has value (" + show(value) + "); the buffer capacity must be > 0");
            return 1;
        }
        double bytes = Math.floor(value * scale);
        if (bytes < 1) {
            f.problem(field, "has value (" + show(value) + "), which is less than one whole byte; the buffer "
                    + "capacity must be at least 1 byte" + (scale == 1 ? "" : " (" + scale + " bytes per unit)"));
            return 1;
        }
        if (bytes > MAX_CAPACITY_BYTES) {
            f.problem(field, "has value (" + show(value) + "), " + show(bytes) + " bytes; SFD models buffers of at most "
                    + MAX_CAPACITY_BYTES + " bytes (1 TiB)\n  Maybe the unit is wrong: capacityKiB and capacityMiB "
                    + "count KiB and MiB.");
            return 1;
        }
        return (long) bytes;
    }

    private static int bits(Fields f, String field) {
        int b = f.integer(field, 8, true);
        if (b < 1 || b > 64) {
            f.problem(field, "has value (" + b + "); a data width must be 1 to 64 bits");
            return 8;
        }
        return b;
    }

    private static int positiveInt(Fields f, String field, boolean required, int fallback, int max) {
        long v = f.longValue(field, fallback, required);
        if (v < 1 && f.has(field)) { // a missing required field is already reported
            f.problem(field, "has value (" + v + "); it must be >= 1");
            return 1;
        }
        if (v > max) {
            f.problem(field, "has value (" + v + "); SFD models at most " + max);
            return 1;
        }
        return (int) v;
    }

    private static void positive(Fields f, String field, double v) {
        if (!(v > 0) && f.has(field)) {
            f.problem(field, "has value (" + show(v) + "); it must be > 0");
        }
    }

    private static double inRange(Fields f, String field, double v, double min, double max, double fallback,
                                  String hint) {
        if (!f.has(field) || !f.node().get(field).isNumber() || !Double.isFinite(v)) {
            return fallback; // missing or not a number: reported by number()
        }
        if (!(v >= min && v <= max)) {
            f.problem(field, "has value (" + show(v) + "); it must be from " + show(min) + " to " + show(max)
                    + (v <= 0 ? "" : hint));
            return fallback;
        }
        return v;
    }

    /** A bandwidth in bytes per cycle, within [{@link #MIN_BANDWIDTH}, {@link #MAX_BANDWIDTH}]. */
    private static double bandwidth(Fields f, String field, double v, String derived) {
        if (!f.has(field) || !f.node().get(field).isNumber() || !Double.isFinite(v)) {
            return 1;
        }
        if (!(v > 0)) {
            f.problem(field, "has value (" + show(v) + "); it must be > 0");
            return 1;
        }
        if (v < MIN_BANDWIDTH || v > MAX_BANDWIDTH) {
            f.problem(field, "has value (" + f.node().get(field) + ")" + derived + "; SFD models bandwidths from "
                    + show(MIN_BANDWIDTH) + " to " + show(MAX_BANDWIDTH) + " bytes per cycle");
            return 1;
        }
        return v;
    }

    private static double energy(Fields f, String field, boolean required) {
        double v = f.number(field, 0, required);
        if (v < 0) {
            f.problem(field, "has value (" + show(v) + "); it must be >= 0");
            return 0;
        }
        if (v > MAX_ENERGY_PJ) {
            f.problem(field, "has value (" + show(v) + "); SFD models energies of at most " + show(MAX_ENERGY_PJ)
                    + " pJ per operation\n  Maybe the unit is wrong: energies are picojoules.");
            return 0;
        }
        return v;
    }

    /** A number as the user likely wrote it: {@code 16} rather than {@code 16.0}. */
    private static String show(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.valueOf(v);
    }
}
