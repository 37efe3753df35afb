package dev.sfd.workload.io.onnx;

import ai.onnx.proto.OnnxMl;
import dev.sfd.workload.OpKind;
import dev.sfd.workload.OpParams;
import dev.sfd.workload.io.onnx.ValueTable.Act;
import dev.sfd.workload.io.onnx.ShapeInference.Window;
import dev.sfd.workload.io.onnx.ValueTable.Const;

import java.util.List;
import java.util.Optional;

import static dev.sfd.workload.io.onnx.ShapeInference.same;
import static dev.sfd.workload.io.onnx.ShapeInference.toInt;
import static dev.sfd.workload.io.onnx.ShapeInference.window;

/**
 * Conv, ConvTranspose and the pooling operators: sliding windows over [N, C, H, W].
 */
final class ConvNodes extends NodeFamily {

    ConvNodes(ValueTable table) {
        super(table);
    }

    void conv(OnnxMl.NodeProto n, Attributes a, String name) {
        Act x = act(n, 0);
        Const w = weightInput(n, 1, "weight");
        if (x.rank() == 3 && w.dims().size() == 3) {
            // 1-D: [N, C, L] as [N, C, 1, L], the kernel [M, C/g, k] as [M, C/g, 1, k]; the result viewed back.
            Act x2 = rowView(n, name, x);
            Const w2 = new Const(w.name(), new ConstTensor(List.of(w.dims().get(0), w.dims().get(1), 1,
                    w.dims().get(2)), null));
            String out2 = n.getOutput(0) + "/2d";
            conv2d(n, as2d(n), name, x2, w2, out2);
            unview(n, name, out2);
            return;
        }
        conv2d(n, a, name, x, w, n.getOutput(0));
    }

    private void conv2d(OnnxMl.NodeProto n, Attributes a, String name, Act x, Const w, String output) {
        if (x.rank() != 4 || w.dims().size() != 4) {
            throw new Unmappable("input '" + x.tensor() + "' has shape " + x.shape() + " and weight " + w.dims()
                    + "; only 2-D convolution on [N, C, H, W] is supported");
        }
        int groups = (int) a.i("group", 1);
        int outC = w.dims().get(0);
        int kH = w.dims().get(2);
        int kW = w.dims().get(3);
        if ((long) w.dims().get(1) * groups != x.shape().get(1)) {
            throw new Unmappable("weight " + w.dims() + " with group " + groups + " does not fit input channels "
                    + x.shape().get(1));
        }
        Window win = window(a, x, kH, kW);
        List<Integer> out = List.of(x.shape().get(0), outC, win.outH(), win.outW());
        boolean bias = input(n, 2).isPresent();
        if (bias) {
            weightInput(n, 2, "bias");
        }
        OpParams.Conv p = new OpParams.Conv(outC, kH, kW, win.sH(), win.sW(), win.pt(), win.pl(), win.pb(), win.pr(),
                win.dH(), win.dW(), groups, bias);
        emit(spec(name, OpKind.CONV, List.of(x.tensor()), output, p, w.name(), out));
        define(output, out);
    }

    /** A 1-D input [N, C, L] viewed as [N, C, 1, L] (a reshape named after the node). */
    private Act rowView(OnnxMl.NodeProto n, String name, Act x) {
        List<Integer> s = List.of(x.shape().get(0), x.shape().get(1), 1, x.shape().get(2));
        String view = n.getOutput(0) + "/in2d";
        emit(spec(name + "/in2d", OpKind.RESHAPE, List.of(x.tensor()), view, new OpParams.Reshape(s), null, s));
        return define(view, s);
    }

    /** The 2-D result [N, M, 1, L'] of a 1-D node viewed back as the node's output [N, M, L']. */
    private void unview(OnnxMl.NodeProto n, String name, String out2) {
        List<Integer> s2 = dimsOf(out2);
        List<Integer> s = List.of(s2.get(0), s2.get(1), s2.get(3));
        emit(spec(name + "/out1d", OpKind.RESHAPE, List.of(out2), n.getOutput(0), new OpParams.Reshape(s), null, s));
        define(n.getOutput(0), s);
    }

    /**
     * The attributes of a 1-D conv or pool node as those of the 2-D node over [N, C, 1, L]: a kernel, stride and
     * dilation of 1 and no padding along the added axis.
     */
    private static Attributes as2d(OnnxMl.NodeProto n) {
        OnnxMl.NodeProto.Builder b = n.toBuilder().clearAttribute();
        for (OnnxMl.AttributeProto at : n.getAttributeList()) {
            switch (at.getName()) {
                case "kernel_shape", "strides", "dilations" -> b.addAttribute(at.toBuilder().clearInts()
                        .addInts(1).addAllInts(at.getIntsList()));
                case "pads" -> b.addAttribute(at.toBuilder().clearInts().addInts(0).addInts(at.getInts(0)).addInts(0)
                        .addInts(at.getInts(at.getIntsCount() - 1)));
                default -> b.addAttribute(at);
            }
        }
        return new Attributes(b.build());
    }

    /**
     * ConvTranspose [N, C, H, W] -> [N, M, Ho, Wo] with weight [C, M/g, kh, kw] becomes a stride-1 conv on the
     * input with M output channels and the same kernel (same MACs: N·H·W·C·(M/g)·kh·kw, same weight count)
     * followed by a zero-op 'col2im' resample to the real output shape: output row r reads the rows i of the
     * intermediate with {@code i·stride + tap − padTop = r} for a tap within the kernel span.
     */
    void convTranspose(OnnxMl.NodeProto n, Attributes a, String name) {
        Act x = act(n, 0);
        Const w = weightInput(n, 1, "weight");
        if (x.rank() != 4 || w.dims().size() != 4) {
            throw new Unmappable("input " + x.shape() + " and weight " + w.dims()
                    + "; only 2-D transposed convolution on [N, C, H, W] is supported");
        }
        int groups = (int) a.i("group", 1);
        int c = x.shape().get(1);
        if (w.dims().get(0) != c || c % groups != 0) {
            throw new Unmappable("weight " + w.dims() + " does not fit input channels " + c + " with group " + groups);
        }
        int m = w.dims().get(1) * groups;
        int kH = w.dims().get(2);
        int kW = w.dims().get(3);
        List<Integer> s = a.intList("strides", 2, 1);
        List<Integer> d = a.intList("dilations", 2, 1);
        List<Integer> pads = a.intList("pads", 4, 0);
        List<Integer> outPad = a.intList("output_padding", 2, 0);
        int h = x.shape().get(2);
        int wd = x.shape().get(3);
        int outH;
        int outW;
        Optional<List<Long>> outputShape = a.ints("output_shape").filter(v -> !v.isEmpty());
        String autoPad = a.s("auto_pad", "NOTSET");
        if (outputShape.isPresent()) {
            List<Long> os = outputShape.get();
            outH = toInt(os.get(os.size() - 2), "output_shape");
            outW = toInt(os.get(os.size() - 1), "output_shape");
        } else if (autoPad.startsWith("SAME")) {
            outH = h * s.get(0);
            outW = wd * s.get(1);
        } else {
            int[] p = autoPad.equals("VALID") ? new int[4]
                    : new int[] {pads.get(0), pads.get(1), pads.get(2), pads.get(3)};
            outH = s.get(0) * (h - 1) + outPad.get(0) + (kH - 1) * d.get(0) + 1 - p[0] - p[2];
            outW = s.get(1) * (wd - 1) + outPad.get(1) + (kW - 1) * d.get(1) + 1 - p[1] - p[3];
        }
        if (outH < 1 || outW < 1) {
            throw new Unmappable("output would be " + outH + "x" + outW);
        }
        boolean bias = input(n, 2).isPresent();
        int[] v = same(h, kH, 1, d.get(0), false);
        int[] hz = same(wd, kW, 1, d.get(1), false);
        OpParams.Conv p = new OpParams.Conv(m, kH, kW, 1, 1, v[0], hz[0], v[1], hz[1], d.get(0), d.get(1), groups,
                bias);
        String mid = n.getOutput(0) + "/conv";
        List<Integer> midShape = List.of(x.shape().get(0), m, h, wd);
        emit(spec(name, OpKind.CONV, List.of(x.tensor()), mid, p, w.name(), midShape));
        List<Integer> out = List.of(x.shape().get(0), m, outH, outW);
        int spanH = (kH - 1) * d.get(0) + 1;
        int spanW = (kW - 1) * d.get(1) + 1;
        int padTop;
        int padLeft;
        if (outputShape.isPresent() || autoPad.startsWith("SAME")) {
            int totalH = s.get(0) * (h - 1) + outPad.get(0) + spanH - outH;
            int totalW = s.get(1) * (wd - 1) + outPad.get(1) + spanW - outW;
            boolean lower = autoPad.equals("SAME_LOWER");
            padTop = lower ? totalH - totalH / 2 : totalH / 2;
            padLeft = lower ? totalW - totalW / 2 : totalW / 2;
        } else {
            padTop = autoPad.equals("VALID") ? 0 : pads.get(0);
            padLeft = autoPad.equals("VALID") ? 0 : pads.get(1);
        }
        if (padTop >= 0 && padLeft >= 0) {
            emit(spec(name + "/col2im", OpKind.RESAMPLE, List.of(mid), n.getOutput(0), new OpParams.Resample("col2im",
                    "asymmetric", "floor", List.of(OpParams.Resample.Scale.of(s.get(0), 1),
                    OpParams.Resample.Scale.of(s.get(1), 1)), out, List.of(spanH, spanW), List.of(padTop, padLeft)),
                    null, out));
        } else {
            emit(spec(name + "/col2im", OpKind.OPAQUE, List.of(mid), n.getOutput(0),
                    new OpParams.Opaque("col2im", out, 0, List.of()), null, out));
        }
        define(n.getOutput(0), out);
        approximated.add(new OnnxImport.Approximation(name, "ConvTranspose", "stride-1 conv " + kH + "x" + kW
                + " on the input with " + m + " output channels (same MACs and weights) + "
                + (padTop >= 0 && padLeft >= 0 ? "'col2im' resample (output row r reads input rows r/"
                + s.get(0) + " within the kernel)" : "opaque 'col2im' reading it whole (negative padding)") + " to "
                + out));
    }

    void pool(OnnxMl.NodeProto n, Attributes a, String name) {
        Act x = act(n, 0);
        if (x.rank() == 3 && (n.getOutputCount() < 2 || !used(n.getOutput(1)))) {
            String out2 = n.getOutput(0) + "/2d";
            pool2d(n, as2d(n), name, rowView(n, name, x), out2);
            unview(n, name, out2);
            return;
        }
        pool2d(n, a, name, x, n.getOutput(0));
    }

    private void pool2d(OnnxMl.NodeProto n, Attributes a, String name, Act x, String output) {
        if (x.rank() != 4) {
            throw new Unmappable("input " + x.shape() + "; only 2-D pooling on [N, C, H, W] is supported");
        }
        List<Integer> k = a.intList("kernel_shape", 0, 0);
        if (k.size() != 2) {
            throw new Unmappable("kernel_shape " + k + " is not 2-D");
        }
        Window win = window(a, x, k.get(0), k.get(1), a.i("ceil_mode", 0) != 0);
        String type = n.getOpType().equals("MaxPool") ? "max" : "avg";
        if (n.getOpType().equals("LpPool")) {
            approximated.add(new OnnxImport.Approximation(name, "LpPool", "average pooling of the same window"));
        }
        List<Integer> out = List.of(x.shape().get(0), x.shape().get(1), win.outH(), win.outW());
        OpParams.Pool p = new OpParams.Pool(type, k.get(0), k.get(1), win.sH(), win.sW(), win.pt(), win.pl(),
                win.pb(), win.pr(), win.dH(), win.dW(), false);
        emit(spec(name, OpKind.POOL, List.of(x.tensor()), output, p, null, out));
        define(output, out);
        if (n.getOutputCount() > 1 && used(n.getOutput(1))) {
            // MaxPool's indices: the same windows searched again for the position of the maximum.
            emit(spec(name + "#indices", OpKind.POOL, List.of(x.tensor()), n.getOutput(1), p, null, out));
            define(n.getOutput(1), out);
            approximated.add(new OnnxImport.Approximation(name, "MaxPool", "indices output: a second max pool "
                    + "over the same windows"));
        }
    }

    void globalPool(OnnxMl.NodeProto n, String name) {
        Act x = act(n, 0);
        if (x.rank() != 4) {
            throw new Unmappable("input " + x.shape() + "; only global pooling of [N, C, H, W] is supported");
        }
        String type = n.getOpType().equals("GlobalMaxPool") ? "max" : "avg";
        List<Integer> out = List.of(x.shape().get(0), x.shape().get(1), 1, 1);
        emit(spec(name, OpKind.POOL, List.of(x.tensor()), n.getOutput(0),
                new OpParams.Pool(type, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, true), null, out));
        define(n.getOutput(0), out);
    }
}
