package dev.sfd.hardware;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.sfd.common.Fields;
import dev.sfd.common.InvalidInputException;

import java.io.IOException;
import java.nio.file.Files;
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

    private HardwareReader() {
    }

    public static Hardware read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new InvalidInputException(file.toString(), "cannot read the file (" + e.getMessage() + ")");
        }
        return parse(file.toString(), text);
    }

    public static Hardware parse(String source, String text) {
        ObjectMapper mapper = source.endsWith(".json") ? new ObjectMapper() : new YAMLMapper();
        JsonNode root;
        try {
            root = mapper.readTree(text);
        } catch (JsonProcessingException e) {
            throw new InvalidInputException(source, "is not valid " + (source.endsWith(".json") ? "JSON" : "YAML")
                    + " (line " + e.getLocation().getLineNr() + ": " + e.getOriginalMessage() + ")");
        }
        if (root == null || !root.isObject()) {
            boolean empty = root == null || root.isMissingNode() || root.isNull();
            throw new InvalidInputException(source, "must contain a hardware description (a map with 'name', "
                    + "'peArray', 'globalBuffer', 'dram', ...); found " + (empty ? "nothing (the file is empty)"
                    : root.getNodeType().toString().toLowerCase(Locale.ROOT)));
        }
        List<String> problems = new ArrayList<>();
        Fields top = new Fields(root, "hardware", problems);
        top.rejectUnknown(Set.of("format", "name", "source", "description", "clockGHz", "cores", "peArray",
                "vectorUnit", "globalBuffer", "dram", "noc", "dataWidths", "energy"));
        String format = top.string("format", FORMAT, false);
        if (!FORMAT.equals(format)) {
            top.problem("format", "has value (" + format + "); this version reads " + FORMAT);
        }
        String name = top.string("name", null, true);
        String sourceText = top.string("source", "", false);
        double clock = top.number("clockGHz", 1.0, true);
        positive(top, "clockGHz", clock);
        int cores = top.integer("cores", 1, false);
        if (cores != 1) {
            top.problem("cores", "has value (" + cores + "); only single-core accelerators can be planned today"
                    + "\n  Maybe describe one core and its share of DRAM bandwidth.");
        }

        Hardware.PeArray pe = null;
        Fields f = top.object("peArray", "section 'peArray'", true);
        if (f != null) {
            f.rejectUnknown(Set.of("rows", "cols", "macsPerPe"));
            pe = new Hardware.PeArray(positiveInt(f, "rows", true, 0), positiveInt(f, "cols", true, 0),
                    positiveInt(f, "macsPerPe", false, 1));
        }
        Hardware.VectorUnit vu = null;
        f = top.object("vectorUnit", "section 'vectorUnit'", true);
        if (f != null) {
            f.rejectUnknown(Set.of("opsPerCycle"));
            vu = new Hardware.VectorUnit(positiveInt(f, "opsPerCycle", true, 0));
        }
        Hardware.GlobalBuffer glb = null;
        f = top.object("globalBuffer", "section 'globalBuffer'", true);
        if (f != null) {
            f.rejectUnknown(Set.of("capacityBytes", "capacityKiB", "capacityMiB", "bandwidthBytesPerCycle",
                    "readEnergyPjPerByte", "writeEnergyPjPerByte"));
            long capacity = capacity(f);
            double bw = f.number("bandwidthBytesPerCycle", 0, true);
            positive(f, "bandwidthBytesPerCycle", bw);
            glb = new Hardware.GlobalBuffer(capacity, bw, nonNegative(f, "readEnergyPjPerByte", true),
                    nonNegative(f, "writeEnergyPjPerByte", true));
        }
        Hardware.Dram dram = null;
        f = top.object("dram", "section 'dram'", true);
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
                bw = gbps / clock;
            } else {
                bw = f.number("bandwidthBytesPerCycle", 1, true);
                positive(f, "bandwidthBytesPerCycle", bw);
            }
            int latency = f.integer("latencyCycles", 0, false);
            if (latency < 0) {
                f.problem("latencyCycles", "has value (" + latency + "); it must be >= 0");
            }
            dram = new Hardware.Dram(bw, latency, nonNegative(f, "readEnergyPjPerByte", true),
                    nonNegative(f, "writeEnergyPjPerByte", true), positiveInt(f, "dmaEngines", false, 1));
        }
        Hardware.Noc noc = Hardware.Noc.NONE;
        f = top.object("noc", "section 'noc'", false);
        if (f != null) {
            f.rejectUnknown(Set.of("bandwidthBytesPerCycle", "hopLatencyCycles", "energyPjPerByte"));
            int hopLatency = f.integer("hopLatencyCycles", 0, false);
            if (hopLatency < 0) {
                f.problem("hopLatencyCycles", "has value (" + hopLatency + "); it must be >= 0");
            }
            noc = new Hardware.Noc(nonNegative(f, "bandwidthBytesPerCycle", true), Math.max(0, hopLatency),
                    nonNegative(f, "energyPjPerByte", false));
        }
        Hardware.DataWidths widths = null;
        f = top.object("dataWidths", "section 'dataWidths'", true);
        if (f != null) {
            f.rejectUnknown(Set.of("activationBits", "weightBits", "accumulatorBits"));
            widths = new Hardware.DataWidths(bits(f, "activationBits"), bits(f, "weightBits"), bits(f, "accumulatorBits"));
        }
        Hardware.Energy energy = null;
        f = top.object("energy", "section 'energy'", true);
        if (f != null) {
            f.rejectUnknown(Set.of("macPj", "vectorOpPj", "peAccessPjPerByte", "leakagePjPerCycle"));
            energy = new Hardware.Energy(nonNegative(f, "macPj", true), nonNegative(f, "vectorOpPj", true),
                    nonNegative(f, "peAccessPjPerByte", false), nonNegative(f, "leakagePjPerCycle", false));
        }
        if (!problems.isEmpty()) {
            throw new InvalidInputException(source, problems);
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
        if (value <= 0) {
            f.problem(field, "has value (" + show(value) + "); the buffer capacity must be > 0");
            return 1;
        }
        return (long) Math.floor(value * scale);
    }

    private static int bits(Fields f, String field) {
        int b = f.integer(field, 8, true);
        if (b < 1 || b > 64) {
            f.problem(field, "has value (" + b + "); a data width must be 1 to 64 bits");
            return 8;
        }
        return b;
    }

    private static int positiveInt(Fields f, String field, boolean required, int fallback) {
        int v = f.integer(field, fallback, required);
        if (v < 1 && f.has(field)) { // a missing required field is already reported
            f.problem(field, "has value (" + v + "); it must be >= 1");
            return 1;
        }
        return v;
    }

    private static void positive(Fields f, String field, double v) {
        if (!(v > 0) && f.has(field)) {
            f.problem(field, "has value (" + show(v) + "); it must be > 0");
        }
    }

    private static double nonNegative(Fields f, String field, boolean required) {
        double v = f.number(field, 0, required);
        if (v < 0) {
            f.problem(field, "has value (" + show(v) + "); it must be >= 0");
            return 0;
        }
        return v;
    }

    /** A number as the user likely wrote it: {@code 16} rather than {@code 16.0}. */
    private static String show(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.valueOf(v);
    }
}
