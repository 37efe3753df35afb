package dev.sfd.workload.io;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Builds small ONNX models in test code (ModelProto as in onnx/onnx.proto). */
public final class OnnxModelBuilder {
    private final OnnxMl.GraphProto.Builder graph = OnnxMl.GraphProto.newBuilder().setName("test");
    private long opset = 17;
    private int nodes;

    public OnnxModelBuilder opset(long version) {
        this.opset = version;
        return this;
    }

    /** A float input; a null dim is dynamic (dim_param). */
    public OnnxModelBuilder input(String name, Integer... dims) {
        graph.addInput(info(name, dims));
        return this;
    }

    public OnnxModelBuilder output(String name, Integer... dims) {
        graph.addOutput(info(name, dims));
        return this;
    }

    public OnnxModelBuilder valueInfo(String name, Integer... dims) {
        graph.addValueInfo(info(name, dims));
        return this;
    }

    /** A float initializer filled with zeros. */
    public OnnxModelBuilder weight(String name, int... dims) {
        long n = 1;
        for (int d : dims) {
            n *= d;
        }
        graph.addInitializer(floats(name, dims, new float[(int) n]));
        return this;
    }

    public OnnxModelBuilder floatsInit(String name, int[] dims, float... values) {
        graph.addInitializer(floats(name, dims, values));
        return this;
    }

    /** An int64 vector initializer (shapes, axes, pads). */
    public OnnxModelBuilder ints(String name, long... values) {
        graph.addInitializer(int64(name, values));
        return this;
    }

    public OnnxModelBuilder node(String op, List<String> inputs, List<String> outputs, OnnxMl.AttributeProto... attrs) {
        OnnxMl.NodeProto.Builder n = OnnxMl.NodeProto.newBuilder().setOpType(op).setName(op.toLowerCase() + nodes++)
                .addAllInput(inputs).addAllOutput(outputs);
        for (OnnxMl.AttributeProto a : attrs) {
            n.addAttribute(a);
        }
        graph.addNode(n);
        return this;
    }

    public OnnxModelBuilder node(String op, String input, String output, OnnxMl.AttributeProto... attrs) {
        return node(op, List.of(input), List.of(output), attrs);
    }

    /** A node of a custom operator domain (e.g. {@code com.example}). */
    public OnnxModelBuilder customNode(String domain, String op, List<String> inputs, List<String> outputs) {
        graph.addNode(OnnxMl.NodeProto.newBuilder().setOpType(op).setDomain(domain).setName(op.toLowerCase() + nodes++)
                .addAllInput(inputs).addAllOutput(outputs));
        return this;
    }

    public OnnxMl.ModelProto build() {
        return OnnxMl.ModelProto.newBuilder().setIrVersion(8).setProducerName("sfd-test")
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
                .setGraph(graph).build();
    }

    public Path write(Path dir, String fileName) {
        Path p = dir.resolve(fileName);
        try {
            Files.write(p, build().toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    public static OnnxMl.AttributeProto attr(String name, long value) {
        return OnnxMl.AttributeProto.newBuilder().setName(name).setType(OnnxMl.AttributeProto.AttributeType.INT)
                .setI(value).build();
    }

    public static OnnxMl.AttributeProto attrs(String name, long... ints) {
        OnnxMl.AttributeProto.Builder a = OnnxMl.AttributeProto.newBuilder().setName(name)
                .setType(OnnxMl.AttributeProto.AttributeType.INTS);
        for (long v : ints) {
            a.addInts(v);
        }
        return a.build();
    }

    public static OnnxMl.AttributeProto attrF(String name, float value) {
        return OnnxMl.AttributeProto.newBuilder().setName(name).setType(OnnxMl.AttributeProto.AttributeType.FLOAT)
                .setF(value).build();
    }

    public static OnnxMl.AttributeProto attrS(String name, String value) {
        return OnnxMl.AttributeProto.newBuilder().setName(name).setType(OnnxMl.AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFromUtf8(value)).build();
    }

    public static OnnxMl.AttributeProto attrT(String name, OnnxMl.TensorProto t) {
        return OnnxMl.AttributeProto.newBuilder().setName(name).setType(OnnxMl.AttributeProto.AttributeType.TENSOR)
                .setT(t).build();
    }

    public static OnnxMl.TensorProto floats(String name, int[] dims, float... values) {
        OnnxMl.TensorProto.Builder b = OnnxMl.TensorProto.newBuilder().setName(name).setDataType(1);
        for (int d : dims) {
            b.addDims(d);
        }
        ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : values) {
            buf.putFloat(f);
        }
        return b.setRawData(ByteString.copyFrom(buf.array())).build();
    }

    public static OnnxMl.TensorProto int64(String name, long... values) {
        OnnxMl.TensorProto.Builder b = OnnxMl.TensorProto.newBuilder().setName(name).setDataType(7)
                .addDims(values.length);
        for (long v : values) {
            b.addInt64Data(v);
        }
        return b.build();
    }

    private static OnnxMl.ValueInfoProto info(String name, Integer... dims) {
        OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder();
        for (int i = 0; i < dims.length; i++) {
            OnnxMl.TensorShapeProto.Dimension.Builder d = OnnxMl.TensorShapeProto.Dimension.newBuilder();
            if (dims[i] == null) {
                d.setDimParam("d" + i);
            } else {
                d.setDimValue(dims[i]);
            }
            shape.addDim(d);
        }
        return OnnxMl.ValueInfoProto.newBuilder().setName(name).setType(OnnxMl.TypeProto.newBuilder()
                .setTensorType(OnnxMl.TypeProto.Tensor.newBuilder().setElemType(1).setShape(shape))).build();
    }
}
