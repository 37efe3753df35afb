package dev.sfd.schedule.io;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.sfd.common.AtomicFiles;
import dev.sfd.cost.Mapping;
import dev.sfd.hardware.Hardware;
import dev.sfd.schedule.BufferSpec;
import dev.sfd.schedule.NetworkRef;
import dev.sfd.schedule.Plan;
import dev.sfd.schedule.SegmentSchedule;
import dev.sfd.schedule.TileTask;
import dev.sfd.workload.Box;
import dev.sfd.workload.LoopDim;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Writes a plan as {@code sfd-plan/1} JSON, streaming (plans of big networks hold millions of tasks), atomically. */
public final class PlanWriter {
    private PlanWriter() {
    }

    public static void write(Plan plan, Path file) {
        AtomicFiles.write(file, toBytes(plan));
    }

    public static byte[] toBytes(Plan plan) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 16);
        try (JsonGenerator g = new JsonFactory().createGenerator(out, JsonEncoding.UTF8)) {
            write(plan, g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void write(Plan plan, JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeStringField("format", Plan.FORMAT);
        g.writeObjectFieldStart("network");
        g.writeStringField("name", plan.network().name());
        g.writeNumberField("batch", plan.network().batch());
        if (!plan.network().inputShapes().isEmpty()) {
            g.writeArrayFieldStart("inputShapes");
            for (String shape : plan.network().inputShapes()) {
                g.writeString(shape);
            }
            g.writeEndArray();
        }
        if (!plan.network().unsupported().equals(NetworkRef.DEFAULT_UNSUPPORTED)) {
            g.writeStringField("unsupported", plan.network().unsupported());
        }
        g.writeEndObject();
        g.writeFieldName("hardware");
        writeHardware(plan.hardware(), g);
        g.writeStringField("planner", plan.planner());
        g.writeStringField("solverStatus", plan.solverStatus());
        g.writeArrayFieldStart("segments");
        for (SegmentSchedule s : plan.segments()) {
            g.writeStartArray();
            for (String op : s.operators()) {
                g.writeString(op);
            }
            g.writeEndArray();
        }
        g.writeEndArray();
        g.writeObjectFieldStart("mappings");
        for (Map.Entry<String, Mapping> e : plan.mappings().entrySet()) {
            g.writeFieldName(e.getKey());
            writeMapping(e.getValue(), g);
        }
        g.writeEndObject();
        g.writeArrayFieldStart("schedule");
        for (SegmentSchedule s : plan.segments()) {
            g.writeStartObject();
            g.writeNumberField("segment", s.index());
            g.writeNumberField("predictedCycles", s.predictedCycles());
            g.writeNumberField("predictedPeakBytes", s.predictedPeakBytes());
            if (s.predictedEndCycle() >= 0) {
                g.writeNumberField("predictedEndCycle", s.predictedEndCycle());
            }
            if (s.prefetch().any()) {
                g.writeObjectFieldStart("prefetch");
                writeInts("tasks", s.prefetch().tasks(), g);
                writeInts("after", s.prefetch().after(), g);
                writeInts("in", s.prefetch().canonical(s.index()).in(), g);
                if (!s.prefetch().waits().isEmpty()) {
                    g.writeArrayFieldStart("waits");
                    for (SegmentSchedule.Wait w : s.prefetch().waits()) {
                        g.writeStartArray();
                        g.writeNumber(w.task());
                        g.writeNumber(w.on());
                        g.writeEndArray();
                    }
                    g.writeEndArray();
                }
                g.writeEndObject();
            }
            g.writeArrayFieldStart("buffers");
            for (BufferSpec b : s.buffers()) {
                g.writeStartObject();
                g.writeNumberField("id", b.id());
                g.writeStringField("tensor", b.tensor());
                writeBox("region", b.region(), g);
                g.writeNumberField("bytes", b.bytes());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("tasks");
            for (TileTask t : s.tasks()) {
                writeTask(t, g);
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private static void writeTask(TileTask t, JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeNumberField("id", t.id());
        g.writeStringField("kind", t.kind().name());
        g.writeStringField("op", t.operator());
        if (!t.tensor().isEmpty()) {
            g.writeStringField("tensor", t.tensor());
        }
        writeBox("region", t.region(), g);
        if (t.loops() != null) {
            writeBox("loops", t.loops(), g);
            g.writeBooleanField("last", t.lastStep());
        }
        if (t.allocates() >= 0) {
            g.writeNumberField("alloc", t.allocates());
        }
        writeInts("reads", t.reads(), g);
        writeInts("frees", t.frees(), g);
        writeInts("deps", t.deps(), g);
        g.writeEndObject();
    }

    private static void writeInts(String field, List<Integer> xs, JsonGenerator g) throws IOException {
        if (xs.isEmpty()) {
            return;
        }
        g.writeArrayFieldStart(field);
        for (int x : xs) {
            g.writeNumber(x);
        }
        g.writeEndArray();
    }

    /** A box as {@code [[lo, hi], ...]} per axis. */
    private static void writeBox(String field, Box b, JsonGenerator g) throws IOException {
        g.writeArrayFieldStart(field);
        for (int i = 0; i < b.rank(); i++) {
            g.writeStartArray();
            g.writeNumber(b.lo(i));
            g.writeNumber(b.hi(i));
            g.writeEndArray();
        }
        g.writeEndArray();
    }

    private static void writeMapping(Mapping m, JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeObjectFieldStart("tile");
        for (LoopDim d : LoopDim.values()) {
            g.writeNumberField(d.name(), m.tile(d));
        }
        g.writeEndObject();
        g.writeObjectFieldStart("spatial");
        g.writeStringField("rowDim", m.spatial().rowDim().name());
        g.writeNumberField("rowFactor", m.spatial().rowFactor());
        g.writeStringField("colDim", m.spatial().colDim().name());
        g.writeNumberField("colFactor", m.spatial().colFactor());
        g.writeEndObject();
        g.writeArrayFieldStart("outerOrder");
        for (LoopDim d : m.outerOrder()) {
            g.writeString(d.name());
        }
        g.writeEndArray();
        g.writeBooleanField("doubleBuffered", m.doubleBuffered());
        g.writeEndObject();
    }

    private static void writeHardware(Hardware hw, JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeStringField("name", hw.name());
        g.writeStringField("source", hw.source());
        g.writeNumberField("clockGHz", hw.clockGHz());
        g.writeNumberField("cores", hw.cores());
        g.writeObjectFieldStart("peArray");
        g.writeNumberField("rows", hw.peArray().rows());
        g.writeNumberField("cols", hw.peArray().cols());
        g.writeNumberField("macsPerPe", hw.peArray().macsPerPe());
        g.writeEndObject();
        g.writeObjectFieldStart("vectorUnit");
        g.writeNumberField("opsPerCycle", hw.vectorUnit().opsPerCycle());
        g.writeEndObject();
        g.writeObjectFieldStart("globalBuffer");
        g.writeNumberField("capacityBytes", hw.globalBuffer().capacityBytes());
        g.writeNumberField("bandwidthBytesPerCycle", hw.globalBuffer().bandwidthBytesPerCycle());
        g.writeNumberField("readEnergyPjPerByte", hw.globalBuffer().readEnergyPjPerByte());
        g.writeNumberField("writeEnergyPjPerByte", hw.globalBuffer().writeEnergyPjPerByte());
        g.writeEndObject();
        g.writeObjectFieldStart("dram");
        g.writeNumberField("bandwidthBytesPerCycle", hw.dram().bandwidthBytesPerCycle());
        g.writeNumberField("latencyCycles", hw.dram().latencyCycles());
        g.writeNumberField("readEnergyPjPerByte", hw.dram().readEnergyPjPerByte());
        g.writeNumberField("writeEnergyPjPerByte", hw.dram().writeEnergyPjPerByte());
        g.writeNumberField("dmaEngines", hw.dram().dmaEngines());
        g.writeEndObject();
        g.writeObjectFieldStart("noc");
        g.writeNumberField("bandwidthBytesPerCycle", hw.noc().bandwidthBytesPerCycle());
        g.writeNumberField("hopLatencyCycles", hw.noc().hopLatencyCycles());
        g.writeNumberField("energyPjPerByte", hw.noc().energyPjPerByte());
        g.writeEndObject();
        g.writeObjectFieldStart("dataWidths");
        g.writeNumberField("activationBits", hw.dataWidths().activationBits());
        g.writeNumberField("weightBits", hw.dataWidths().weightBits());
        g.writeNumberField("accumulatorBits", hw.dataWidths().accumulatorBits());
        g.writeEndObject();
        g.writeObjectFieldStart("energy");
        g.writeNumberField("macPj", hw.energy().macPj());
        g.writeNumberField("vectorOpPj", hw.energy().vectorOpPj());
        g.writeNumberField("peAccessPjPerByte", hw.energy().peAccessPjPerByte());
        g.writeNumberField("leakagePjPerCycle", hw.energy().leakagePjPerCycle());
        g.writeEndObject();
        g.writeEndObject();
    }
}
