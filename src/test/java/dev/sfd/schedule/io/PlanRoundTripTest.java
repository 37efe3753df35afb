package dev.sfd.schedule.io;

import dev.sfd.common.InvalidInputException;
import dev.sfd.hardware.HardwareCatalog;
import dev.sfd.planner.LayerwisePlanner;
import dev.sfd.planner.PlanRequest;
import dev.sfd.schedule.NetworkRef;
import dev.sfd.schedule.Plan;
import dev.sfd.workload.Network;
import dev.sfd.workload.io.NetworkCatalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlanRoundTripTest {
    private static Plan plan() {
        Network net = NetworkCatalog.resolve("mobilenet_v2");
        return new LayerwisePlanner().plan(new PlanRequest(net, new NetworkRef("mobilenet_v2", 1),
                HardwareCatalog.resolve("simba-like")));
    }

    @Test
    void writeThenReadGivesAnEqualPlan(@TempDir Path dir) {
        Plan plan = plan();
        Path file = dir.resolve("plan.json");
        PlanWriter.write(plan, file);
        Plan back = PlanReader.read(file);
        assertEquals(plan, back);
    }

    private static InvalidInputException badPlan(String from, String to) {
        String text = new String(PlanWriter.toBytes(plan()), StandardCharsets.UTF_8);
        assertTrue(text.contains(from), from);
        String broken = text.replaceFirst(java.util.regex.Pattern.quote(from), java.util.regex.Matcher.quoteReplacement(to));
        return assertThrows(InvalidInputException.class, () -> PlanReader.parse("plan.json", broken));
    }

    @Test
    void badFieldsAreNamedWithTheirValue() {
        InvalidInputException kind = badPlan("\"kind\":\"LOAD\"", "\"kind\":\"LAOD\"");
        assertTrue(kind.getMessage().contains("plan.json") && kind.getMessage().contains("'kind'")
                && kind.getMessage().contains("LAOD"), kind.getMessage());
        InvalidInputException format = badPlan("\"format\":\"sfd-plan/1\"", "\"format\":\"sfd-plan/7\"");
        assertTrue(format.getMessage().contains("sfd-plan/7"), format.getMessage());
        InvalidInputException capacity = badPlan("\"capacityBytes\":", "\"capacityBytes\":-");
        assertTrue(capacity.getMessage().contains("capacityBytes"), capacity.getMessage());
        InvalidInputException order = badPlan("\"outerOrder\":[\"", "\"outerOrder\":[\"X");
        assertTrue(order.getMessage().contains("outerOrder"), order.getMessage());
        InvalidInputException unknown = badPlan("\"planner\":", "\"planer\":");
        assertTrue(unknown.getMessage().contains("Maybe you meant 'planner'"), unknown.getMessage());
        InvalidInputException prefetch = badPlan("\"prefetch\":{\"tasks\":[", "\"prefetch\":{\"tasks\":[-1,");
        assertTrue(prefetch.getMessage().contains("prefetch") && prefetch.getMessage().contains("'tasks'"),
                prefetch.getMessage());
        InvalidInputException after = badPlan("\"after\":[", "\"after\":[7,");
        assertTrue(after.getMessage().contains("'after'") && after.getMessage().contains("entries"),
                after.getMessage());
        InvalidInputException in = badPlan("\"after\":[", "\"in\":[99],\"after\":[");
        assertTrue(in.getMessage().contains("'in'"), in.getMessage());
        InvalidInputException waits = badPlan("\"waits\":[[", "\"waits\":[[\"x\",");
        assertTrue(waits.getMessage().contains("'waits'"), waits.getMessage());
    }

    @Test
    void theLayerByLayerPlanPrefetchesAcrossBoundariesAndKeepsItThroughJson() {
        Plan plan = plan();
        long prefetching = plan.segments().stream().filter(s -> s.prefetch().any()).count();
        assertTrue(prefetching > 0, "no segment prefetches");
        assertTrue(plan.segments().stream().anyMatch(s -> !s.prefetch().waits().isEmpty()), "no prefetch waits");
        Plan back = PlanReader.parse("plan.json", new String(PlanWriter.toBytes(plan), StandardCharsets.UTF_8));
        for (int i = 0; i < plan.segments().size(); i++) {
            assertEquals(plan.segments().get(i).prefetch(), back.segments().get(i).prefetch());
            assertEquals(plan.segments().get(i).predictedEndCycle(), back.segments().get(i).predictedEndCycle());
        }
    }

    @Test
    void aPlanWrittenBeforeTheListFormStillReads() throws Exception {
        Plan plan = plan();
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode root = (com.fasterxml.jackson.databind.node.ObjectNode)
                json.readTree(PlanWriter.toBytes(plan));
        // the first segment with a prefetch, written the old way: its first task, after one task of the previous
        int k = 1;
        while (!plan.segments().get(k).prefetch().any()) {
            k++;
        }
        int first = plan.segments().get(k).tasks().get(0).id();
        int place = plan.segments().get(k - 1).tasks().get(0).id();
        com.fasterxml.jackson.databind.node.ObjectNode old = json.createObjectNode();
        old.put("tasks", 1);
        old.put("afterTask", place);
        ((com.fasterxml.jackson.databind.node.ObjectNode) root.get("schedule").get(k)).set("prefetch", old);
        Plan back = PlanReader.parse("plan.json", json.writeValueAsString(root));
        assertEquals(List.of(first), back.segments().get(k).prefetch().tasks());
        assertEquals(List.of(place), back.segments().get(k).prefetch().after());
        assertTrue(back.segments().get(k).prefetch().in().isEmpty(), "placed in the previous segment");
    }
}
