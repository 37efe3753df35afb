package dev.sfd.schedule.io;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sfd.common.Fields;
import dev.sfd.common.InputFiles;
import dev.sfd.common.InvalidInputException;
import dev.sfd.cost.Mapping;
import dev.sfd.hardware.Hardware;
import dev.sfd.hardware.HardwareReader;
import dev.sfd.schedule.BufferSpec;
import dev.sfd.schedule.NetworkRef;
import dev.sfd.schedule.Plan;
import dev.sfd.schedule.SegmentSchedule;
import dev.sfd.schedule.TaskKind;
import dev.sfd.schedule.TileTask;
import dev.sfd.workload.Box;
import dev.sfd.workload.Limits;
import dev.sfd.workload.LoopDim;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads {@code sfd-plan/1} JSON. Every problem found is reported in one {@link InvalidInputException} naming the
 * file, the element, the field and the value. Structural checks only; whether the plan is legal is the
 * simulator's job.
 */
public final class PlanReader {
    /**
     * Largest task id: the simulator indexes task states by id, so an id of two billion would ask for a 2 GB
     * array.
     */
    public static final int MAX_TASK_ID = 1 << 26;

    private PlanReader() {
    }

    public static Plan read(Path file) {
        byte[] bytes = InputFiles.read(file, InputFiles.MAX_PLAN_BYTES, "plan file");
        return build(file.toString(), InputFiles.parse(file.toString(), bytes, InputFiles.Syntax.JSON));
    }

    public static Plan parse(String source, String text) {
        return build(source, InputFiles.parse(source, text, InputFiles.Syntax.JSON));
    }

    private static Plan build(String source, JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new InvalidInputException(source, "must hold a JSON object with \"format\": \"" + Plan.FORMAT + "\"");
        }
        List<String> problems = new ArrayList<>();
        Fields f = new Fields(root, "plan", problems);
        f.rejectUnknown(Set.of("format", "network", "hardware", "planner", "solverStatus", "segments", "mappings",
                "schedule"));
        String format = f.string("format", "", true);
        if (!format.isEmpty() && !format.equals(Plan.FORMAT)) {
            f.problem("format", "has value (" + format + "); this version reads \"" + Plan.FORMAT + "\"");
            throw new InvalidInputException(source, problems);
        }
        NetworkRef network = null;
        Fields nf = f.object("network", "section 'network'", true);
        if (nf != null) {
            nf.rejectUnknown(Set.of("name", "batch", "inputShapes", "unsupported"));
            String name = nf.string("name", "", true);
            int batch = (int) nf.longInRange("batch", 1, 1, Limits.MAX_BATCH, true);
            List<String> shapes = new ArrayList<>();
            JsonNode sn = nf.node().get("inputShapes");
            if (sn != null) {
                if (!sn.isArray()) {
                    nf.problem("inputShapes", "has value (" + sn + "); expected a list like [\"x=1x3x640x640\"]");
                } else {
                    sn.forEach(v -> shapes.add(v.asText()));
                }
            }
            String unsupported = nf.string("unsupported", NetworkRef.DEFAULT_UNSUPPORTED, false);
            if (!unsupported.equals("error") && !unsupported.equals("vector")) {
                nf.problem("unsupported", "has value (" + unsupported + "); expected 'error' or 'vector'");
            }
            network = new NetworkRef(name, batch, shapes, unsupported);
        }
        Fields hf = f.object("hardware", "section 'hardware'", true);
        Hardware hw = hf == null ? null : HardwareReader.read(hf, "hardware.", false);
        String planner = f.string("planner", "", true);
        String status = f.string("solverStatus", "", true);
        List<List<String>> segments = new ArrayList<>();
        JsonNode segs = root.get("segments");
        if (segs == null || !segs.isArray()) {
            problems.add("plan field 'segments' must be a list of operator-name lists");
        } else {
            for (int i = 0; i < segs.size(); i++) {
                JsonNode s = segs.get(i);
                List<String> ops = new ArrayList<>();
                if (!s.isArray()) {
                    problems.add("plan field 'segments' entry " + i + " has value (" + s + "); expected a list of operator names");
                    continue;
                }
                for (JsonNode o : s) {
                    ops.add(o.asText());
                }
                segments.add(ops);
            }
        }
        Map<String, Mapping> mappings = new LinkedHashMap<>();
        Fields mf = f.object("mappings", "section 'mappings'", true);
        if (mf != null) {
            var it = mf.node().fields();
            while (it.hasNext()) {
                var e = it.next();
                Mapping m = readMapping(e.getKey(), e.getValue(), problems);
                if (m != null) {
                    mappings.put(e.getKey(), m);
                }
            }
        }
        List<SegmentSchedule> schedules = new ArrayList<>();
        JsonNode sched = root.get("schedule");
        if (sched == null || !sched.isArray()) {
            problems.add("plan field 'schedule' must be a list with one entry per segment");
        } else {
            if (sched.size() != segments.size()) {
                problems.add("plan field 'schedule' has (" + sched.size() + ") entries but 'segments' has ("
                        + segments.size() + "); there must be one schedule per segment");
            }
            for (int i = 0; i < sched.size() && i < segments.size(); i++) {
                schedules.add(readSegment(i, segments.get(i), sched.get(i), problems));
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidInputException(source, problems);
        }
        return new Plan(network, hw, planner, status, mappings, schedules);
    }

    private static boolean wholeId(JsonNode n) {
        return n != null && n.isIntegralNumber() && n.canConvertToInt() && n.asInt() >= 0;
    }

    /**
     * A segment's prefetch: {@code tasks} is a list of task ids or (older plans) a count of leading tasks;
     * {@code after} a list of places, one per task, or {@code afterTask} one place for all.
     */
    private static SegmentSchedule.Prefetch prefetch(Fields pf, int segment, JsonNode tasksNode, JsonNode afterNode,
                                                     JsonNode inNode, List<SegmentSchedule.Wait> waits,
                                                     List<TileTask> segmentTasks) {
        List<Integer> ids = new ArrayList<>();
        if (tasksNode.isIntegralNumber()) {
            long n = tasksNode.asLong();
            if (n < 0 || n > segmentTasks.size()) {
                pf.problem("tasks", "has value (" + n + ") but the segment has (" + segmentTasks.size() + ") tasks");
                return SegmentSchedule.Prefetch.NONE;
            }
            for (int t = 0; t < n; t++) {
                ids.add(segmentTasks.get(t).id());
            }
        } else if (tasksNode.isArray()) {
            Set<Integer> known = new java.util.HashSet<>();
            segmentTasks.forEach(t -> known.add(t.id()));
            for (JsonNode t : tasksNode) {
                if (!wholeId(t)) {
                    pf.problem("tasks", "has entry (" + t + "); expected a task id, a whole number >= 0");
                    return SegmentSchedule.Prefetch.NONE;
                }
                if (!known.contains(t.asInt())) {
                    pf.problem("tasks", "has entry (" + t + "), which is not a task of the segment");
                    return SegmentSchedule.Prefetch.NONE;
                }
                ids.add(t.asInt());
            }
        } else {
            pf.problem("tasks", "has value (" + tasksNode + "); expected a list of task ids");
            return SegmentSchedule.Prefetch.NONE;
        }
        if (ids.isEmpty()) {
            return SegmentSchedule.Prefetch.NONE;
        }
        List<Integer> after = new ArrayList<>();
        if (afterNode == null) {
            pf.problem("after", "is missing; expected one previous-segment task id per prefetched task");
            return SegmentSchedule.Prefetch.NONE;
        } else if (afterNode.isArray()) {
            for (JsonNode a : afterNode) {
                if (!wholeId(a)) {
                    pf.problem("after", "has entry (" + a + "); expected a task id, a whole number >= 0");
                    return SegmentSchedule.Prefetch.NONE;
                }
                after.add(a.asInt());
            }
            if (after.size() != ids.size()) {
                pf.problem("after", "has (" + after.size() + ") entries for (" + ids.size() + ") prefetched tasks");
                return SegmentSchedule.Prefetch.NONE;
            }
        } else if (wholeId(afterNode)) {
            after.addAll(java.util.Collections.nCopies(ids.size(), afterNode.asInt()));
        } else {
            pf.problem("afterTask", "has value (" + afterNode + "); expected a task id, a whole number >= 0");
            return SegmentSchedule.Prefetch.NONE;
        }
        List<Integer> in = new ArrayList<>();
        if (inNode != null) {
            if (!inNode.isArray() || inNode.size() != ids.size()) {
                pf.problem("in", "has value (" + inNode + "); expected one segment index per prefetched task");
                return SegmentSchedule.Prefetch.NONE;
            }
            for (JsonNode h : inNode) {
                if (!wholeId(h) || h.asInt() >= segment) {
                    pf.problem("in", "has entry (" + h + "); expected the index of an earlier segment (0 to "
                            + (segment - 1) + ")");
                    return SegmentSchedule.Prefetch.NONE;
                }
                in.add(h.asInt());
            }
        }
        return new SegmentSchedule.Prefetch(ids, after, in, waits).canonical(segment);
    }

    private static SegmentSchedule readSegment(int i, List<String> ops, JsonNode node, List<String> problems) {
        Fields f = new Fields(node, "schedule entry " + i, problems);
        f.rejectUnknown(Set.of("segment", "predictedCycles", "predictedPeakBytes", "predictedEndCycle", "prefetch",
                "buffers", "tasks"));
        int index = (int) f.longInRange("segment", i, 0, Integer.MAX_VALUE, true);
        if (index != i) {
            f.problem("segment", "has value (" + index + "); schedule entries must be in segment order (expected " + i + ")");
        }
        long cycles = f.longValue("predictedCycles", 0, false);
        long peak = f.longValue("predictedPeakBytes", 0, false);
        long end = f.longInRange("predictedEndCycle", -1, -1, Long.MAX_VALUE, false);
        Fields pf = f.object("prefetch", "schedule entry " + i + " prefetch", false);
        JsonNode prefetchTasks = null;
        JsonNode prefetchAfter = null;
        List<SegmentSchedule.Wait> waits = new ArrayList<>();
        if (pf != null) {
            pf.rejectUnknown(Set.of("tasks", "after", "afterTask", "in", "waits"));
            JsonNode p = node.get("prefetch");
            prefetchTasks = p.get("tasks");
            prefetchAfter = p.has("after") ? p.get("after") : p.get("afterTask");
            if (prefetchTasks == null) {
                pf.problem("tasks", "is missing; expected the ids of the tasks issued early (or their count)");
            } else if (p.has("after") && p.has("afterTask")) {
                pf.problem("after", "is given with afterTask; give one of them");
                prefetchTasks = null;
            } else if (i == 0 && !(prefetchTasks.isArray() && prefetchTasks.isEmpty()
                    || prefetchTasks.isIntegralNumber() && prefetchTasks.asLong() == 0)) {
                pf.problem("tasks", "has value (" + prefetchTasks + "); the first segment has no previous segment "
                        + "to prefetch into");
                prefetchTasks = null;
            }
            JsonNode ws = p.get("waits");
            if (ws != null) {
                if (!ws.isArray()) {
                    pf.problem("waits", "has value (" + ws + "); expected a list of [task id, previous segment's "
                            + "task id] pairs");
                } else {
                    for (JsonNode w : ws) {
                        if (!w.isArray() || w.size() != 2 || !wholeId(w.get(0)) || !wholeId(w.get(1))) {
                            pf.problem("waits", "has entry (" + w + "); expected [task id, previous segment's task id]"
                                    + " with whole numbers >= 0");
                        } else {
                            waits.add(new SegmentSchedule.Wait(w.get(0).asInt(), w.get(1).asInt()));
                        }
                    }
                }
            }
        }
        List<BufferSpec> buffers = new ArrayList<>();
        JsonNode bs = node.get("buffers");
        if (bs != null && bs.isArray()) {
            for (int b = 0; b < bs.size(); b++) {
                Fields bf = new Fields(bs.get(b), "segment " + i + " buffer " + b, problems);
                int id = (int) bf.longInRange("id", b, 0, Integer.MAX_VALUE, true);
                if (id != b) {
                    bf.problem("id", "has value (" + id + "); buffer ids must be 0, 1, 2, ... in order");
                }
                String tensor = bf.string("tensor", "", true);
                Box region = box(bf, "region", problems);
                long bytes = bf.longValue("bytes", 0, true);
                if (bytes < 0) {
                    bf.problem("bytes", "has value (" + bytes + "); must be >= 0");
                    bytes = 0;
                }
                if (region != null) {
                    buffers.add(new BufferSpec(b, tensor, region, bytes));
                }
            }
        }
        List<TileTask> tasks = new ArrayList<>();
        JsonNode ts = node.get("tasks");
        if (ts == null || !ts.isArray()) {
            f.problem("tasks", "is missing; expected a list of tasks");
        } else {
            for (int t = 0; t < ts.size(); t++) {
                TileTask task = readTask(i, t, ts.get(t), buffers.size(), problems);
                if (task != null) {
                    tasks.add(task);
                }
            }
        }
        SegmentSchedule.Prefetch prefetch = pf == null || prefetchTasks == null ? SegmentSchedule.Prefetch.NONE
                : prefetch(pf, i, prefetchTasks, prefetchAfter, node.get("prefetch").get("in"), waits, tasks);
        return new SegmentSchedule(i, ops, buffers, tasks, cycles, peak, prefetch, end);
    }

    private static TileTask readTask(int seg, int pos, JsonNode node, int bufferCount, List<String> problems) {
        Fields f = new Fields(node, "segment " + seg + " task " + pos, problems);
        int before = problems.size();
        int id = (int) f.longInRange("id", -1, 0, MAX_TASK_ID, true);
        String kindText = f.string("kind", "", true);
        TaskKind kind = null;
        try {
            kind = TaskKind.valueOf(kindText.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            f.problem("kind", "has value (" + kindText + "); expected one of " + Arrays.toString(TaskKind.values()));
        }
        String op = f.string("op", "", true);
        String tensor = f.string("tensor", "", false);
        Box region = box(f, "region", problems);
        Box loops = f.has("loops") ? box(f, "loops", problems) : null;
        if (kind == TaskKind.COMPUTE && (loops == null || loops.rank() != LoopDim.values().length)) {
            f.problem("loops", "must give 8 [lo, hi] ranges (N, G, K, C, P, Q, R, S) for a COMPUTE task");
        }
        boolean last = f.bool("last", false);
        int alloc = (int) f.longInRange("alloc", -1, -1, MAX_TASK_ID, false);
        if (alloc >= bufferCount) {
            f.problem("alloc", "has value (" + alloc + "); the segment has " + bufferCount + " buffers");
        }
        List<Integer> reads = ints(f, "reads");
        List<Integer> frees = ints(f, "frees");
        List<Integer> deps = ints(f, "deps");
        if (problems.size() > before || kind == null || region == null) {
            return null;
        }
        return new TileTask(id, kind, op, tensor, region, loops, last, alloc, reads, frees, deps);
    }

    private static List<Integer> ints(Fields f, String field) {
        List<Integer> xs = f.intList(field, false);
        if (xs == null) {
            return List.of();
        }
        for (int x : xs) {
            if (x < 0 || x > MAX_TASK_ID) {
                f.problem(field, "has entry (" + x + "); ids are from 0 to " + MAX_TASK_ID);
                return List.of();
            }
        }
        return xs;
    }

    private static Box box(Fields f, String field, List<String> problems) {
        JsonNode v = f.node().get(field);
        if (v == null || !v.isArray()) {
            f.problem(field, "is missing; expected a list of [lo, hi] ranges");
            return null;
        }
        int[] lo = new int[v.size()];
        int[] hi = new int[v.size()];
        for (int i = 0; i < v.size(); i++) {
            JsonNode r = v.get(i);
            if (!r.isArray() || r.size() != 2 || !r.get(0).isIntegralNumber() || !r.get(1).isIntegralNumber()
                    || !r.get(0).canConvertToLong() || !r.get(1).canConvertToLong()
                    || r.get(0).asLong() < 0 || r.get(1).asLong() < r.get(0).asLong()
                    || r.get(1).asLong() > Limits.MAX_DIM) {
                f.problem(field, "has range " + r + " on axis " + i + "; expected [lo, hi] with 0 <= lo <= hi <= "
                        + Limits.MAX_DIM);
                return null;
            }
            lo[i] = r.get(0).asInt();
            hi[i] = r.get(1).asInt();
        }
        return new Box(lo, hi);
    }

    private static Mapping readMapping(String op, JsonNode node, List<String> problems) {
        Fields f = new Fields(node, "mapping of '" + op + "'", problems);
        f.rejectUnknown(Set.of("tile", "spatial", "outerOrder", "doubleBuffered"));
        int before = problems.size();
        Map<LoopDim, Integer> tile = new EnumMap<>(LoopDim.class);
        Fields tf = f.object("tile", "mapping of '" + op + "' section 'tile'", true);
        if (tf != null) {
            for (LoopDim d : LoopDim.values()) {
                tile.put(d, (int) tf.longInRange(d.name(), 1, 1, Limits.MAX_DIM, true));
            }
        }
        Fields sf = f.object("spatial", "mapping of '" + op + "' section 'spatial'", true);
        Mapping.SpatialUnroll spatial = Mapping.SpatialUnroll.NONE;
        if (sf != null) {
            LoopDim row = dim(sf, "rowDim");
            LoopDim col = dim(sf, "colDim");
            int rf = (int) sf.longInRange("rowFactor", 1, 1, HardwareReader.MAX_PE_SIDE, true);
            int cf = (int) sf.longInRange("colFactor", 1, 1, HardwareReader.MAX_PE_SIDE, true);
            if (row != null && col != null) {
                try {
                    spatial = new Mapping.SpatialUnroll(row, rf, col, cf);
                } catch (IllegalArgumentException e) {
                    sf.problem("rowFactor", "is inconsistent: " + e.getMessage());
                }
            }
        }
        List<LoopDim> order = new ArrayList<>();
        for (String s : f.stringList("outerOrder", true)) {
            try {
                order.add(LoopDim.valueOf(s));
            } catch (IllegalArgumentException e) {
                f.problem("outerOrder", "has dim (" + s + "); dims are " + Arrays.toString(LoopDim.values()));
            }
        }
        boolean db = f.bool("doubleBuffered", false);
        if (problems.size() > before) {
            return null;
        }
        try {
            return new Mapping(op, tile, spatial, order, db);
        } catch (IllegalArgumentException e) {
            f.problem("outerOrder", "is invalid: " + e.getMessage());
            return null;
        }
    }

    private static LoopDim dim(Fields f, String field) {
        String s = f.string(field, "", true);
        try {
            return LoopDim.valueOf(s);
        } catch (IllegalArgumentException e) {
            f.problem(field, "has value (" + s + "); dims are " + Arrays.toString(LoopDim.values()));
            return null;
        }
    }
}
