package dev.sfd.report;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.sfd.common.AtomicFiles;
import dev.sfd.hardware.Hardware;
import dev.sfd.simulation.SimulationResult;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes a Chrome trace-event file (open in chrome://tracing or Perfetto): one track per resource (PE array,
 * vector unit, each DMA engine), a counter track with the GLB occupancy, timestamps in microseconds of the
 * hardware clock.
 */
public final class TraceWriter {
    private TraceWriter() {
    }

    public static void write(Path file, SimulationResult r, Hardware hw) {
        AtomicFiles.write(file, toBytes(r, hw));
    }

    public static byte[] toBytes(SimulationResult r, Hardware hw) {
        return toBytes(r, hw, null);
    }

    /** @param planSha256 SHA-256 (hex) of the plan.json this trace replays, written in {@code otherData}; or null */
    public static byte[] toBytes(SimulationResult r, Hardware hw, String planSha256) {
        double usPerCycle = 1.0 / (hw.clockGHz() * 1e3);
        Map<String, Integer> tracks = new LinkedHashMap<>();
        tracks.put("PE_ARRAY", 1);
        tracks.put("VECTOR", 2);
        for (int i = 0; i < Math.max(1, hw.dram().dmaEngines()); i++) {
            tracks.put("DMA" + i, 3 + i);
        }
        tracks.put("NONE", 3 + Math.max(1, hw.dram().dmaEngines()));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = new JsonFactory().createGenerator(out, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeStringField("displayTimeUnit", "ns");
            if (planSha256 != null) {
                g.writeObjectFieldStart("otherData");
                g.writeStringField("planSha256", planSha256);
                g.writeEndObject();
            }
            g.writeArrayFieldStart("traceEvents");
            for (Map.Entry<String, Integer> e : tracks.entrySet()) {
                g.writeStartObject();
                g.writeStringField("name", "thread_name");
                g.writeStringField("ph", "M");
                g.writeNumberField("pid", 1);
                g.writeNumberField("tid", e.getValue());
                g.writeObjectFieldStart("args");
                g.writeStringField("name", e.getKey().equals("NONE") ? "zero-cost" : e.getKey());
                g.writeEndObject();
                g.writeEndObject();
            }
            for (SimulationResult.Span s : r.spans()) {
                g.writeStartObject();
                g.writeStringField("name", s.name());
                g.writeStringField("cat", "segment " + s.segment());
                g.writeStringField("ph", "X");
                g.writeNumberField("pid", 1);
                g.writeNumberField("tid", tracks.getOrDefault(s.resource(), 0));
                g.writeNumberField("ts", s.startCycle() * usPerCycle);
                g.writeNumberField("dur", (s.endCycle() - s.startCycle()) * usPerCycle);
                g.writeObjectFieldStart("args");
                g.writeNumberField("segment", s.segment());
                g.writeNumberField("startCycle", s.startCycle());
                g.writeNumberField("cycles", s.endCycle() - s.startCycle());
                g.writeEndObject();
                g.writeEndObject();
            }
            for (int i = 0; i < r.occupancyCycles().length; i++) {
                g.writeStartObject();
                g.writeStringField("name", "GLB occupancy");
                g.writeStringField("ph", "C");
                g.writeNumberField("pid", 1);
                g.writeNumberField("ts", r.occupancyCycles()[i] * usPerCycle);
                g.writeObjectFieldStart("args");
                g.writeNumberField("bytes", r.occupancyBytes()[i]);
                g.writeEndObject();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
