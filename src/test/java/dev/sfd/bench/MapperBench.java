package dev.sfd.bench;

import dev.sfd.cost.CostModel;
import dev.sfd.cost.LayerShape;
import dev.sfd.hardware.Hardware;
import dev.sfd.hardware.HardwareCatalog;
import dev.sfd.mapping.ExhaustiveMapper;
import dev.sfd.mapping.HeuristicMapper;
import dev.sfd.mapping.MappingSpace;
import dev.sfd.mapping.ParetoFront;
import dev.sfd.mapping.cpsat.CpSatMapper;
import dev.sfd.mapping.cpsat.CpSatSettings;
import dev.sfd.workload.Network;
import dev.sfd.workload.Operator;
import dev.sfd.workload.io.NetworkCatalog;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/** Cost model and mappers on representative layers of ResNet-50 and BERT-base, on {@code edge}. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class MapperBench {
    @Param({"resnet50:layer3.0.conv2", "resnet50:layer1.0.conv1", "bert_base:layer.0.attention.query"})
    public String layer;

    private Network net;
    private Operator op;
    private Hardware hw;
    private CostModel model;
    private MappingSpace space;
    private int[] tile;
    private int[] unroll;
    private int[] order;

    @Setup
    public void setUp() {
        String[] parts = layer.split(":");
        net = NetworkCatalog.resolve(parts[0]);
        op = net.operator(parts[1]);
        hw = HardwareCatalog.resolve("edge");
        model = new CostModel(hw);
        space = new MappingSpace(LayerShape.of(net, op).orElseThrow(), model, MappingSpace.Options.DEFAULT);
        tile = space.smallestTiles();
        unroll = space.unroll(tile, 0);
        order = space.orders().get(0);
    }

    @Benchmark
    public CostModel.Figures costModelFigures() {
        return model.figures(space.shape(), tile, unroll, order, true);
    }

    @Benchmark
    public ParetoFront exhaustiveFront() {
        return new ExhaustiveMapper().front(net, op, hw);
    }

    @Benchmark
    public ParetoFront heuristicFront() {
        return new HeuristicMapper().front(net, op, hw);
    }

    @Benchmark
    public ParetoFront cpsatFront() {
        return new CpSatMapper(CpSatSettings.DEFAULT).front(net, op, hw);
    }
}
