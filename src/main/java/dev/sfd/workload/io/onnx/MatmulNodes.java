package dev.sfd.workload.io.onnx;

import ai.onnx.proto.OnnxMl;
import dev.sfd.workload.NetworkBuilder;
import dev.sfd.workload.OpKind;
import dev.sfd.workload.OpParams;
import dev.sfd.workload.io.onnx.ValueTable.Act;
import dev.sfd.workload.io.onnx.ValueTable.Const;
import dev.sfd.workload.io.onnx.ValueTable.Value;

import java.util.ArrayList;
import java.util.List;

/**
 * Gemm and MatMul: linear layers on a constant B, or the product of two activations.
 */
final class MatmulNodes extends NodeFamily {

    MatmulNodes(ValueTable table) {
        super(table);
    }

    void gemm(OnnxMl.NodeProto n, Attributes a, String name) {
        Act x = act(n, 0);
        Const b = weightInput(n, 1, "weight");
        if (x.rank() != 2 || b.dims().size() != 2) {
            throw new Unmappable("A " + x.shape() + " and B " + b.dims() + " must both be matrices");
        }
        if (a.i("transA", 0) != 0) {
            // A is stored [K, M]: a transpose view, then the linear layer on [M, K].
            List<Integer> t = List.of(x.shape().get(1), x.shape().get(0));
            String view = n.getOutput(0) + "/transA";
            emit(spec(name + "/transA", OpKind.TRANSPOSE, List.of(x.tensor()), view,
                    new OpParams.Transpose(List.of(1, 0)), null, t));
            x = define(view, t);
        }
        boolean transB = a.i("transB", 0) != 0;
        int k = transB ? b.dims().get(1) : b.dims().get(0);
        int features = transB ? b.dims().get(0) : b.dims().get(1);
        if (k != x.shape().get(1)) {
            throw new Unmappable("A " + x.shape() + " and B " + b.dims() + (transB ? " (transB)" : "")
                    + " have different inner sizes");
        }
        boolean bias = input(n, 2).isPresent();
        if (bias) {
            weightInput(n, 2, "bias");
        }
        List<Integer> out = List.of(x.shape().get(0), features);
        emit(spec(name, OpKind.MATMUL, List.of(x.tensor()), n.getOutput(0),
                new OpParams.Matmul(features, false, bias), b.name(), out));
        define(n.getOutput(0), out);
    }

    void matmul(OnnxMl.NodeProto n, String name) {
        Value va = values.get(n.getInput(0));
        Value vb = values.get(n.getInput(1));
        if (!(va instanceof Act x)) {
            throw new Unmappable("A '" + n.getInput(0) + "' is a constant; SFD imports a constant B (linear layer) "
                    + "or two activations");
        }
        if (vb instanceof Const b) {
            if (b.dims().size() != 2 || x.rank() < 2 || x.rank() > NetworkBuilder.MAX_COMPUTE_RANK) {
                throw new Unmappable("A " + x.shape() + " times constant B " + b.dims() + "; a linear layer needs "
                        + "A of rank 2 to " + NetworkBuilder.MAX_COMPUTE_RANK + " and B of rank 2");
            }
            if (!b.dims().get(0).equals(x.shape().get(x.rank() - 1))) {
                throw new Unmappable("A " + x.shape() + " and B " + b.dims() + " have different inner sizes");
            }
            List<Integer> out = new ArrayList<>(x.shape());
            out.set(out.size() - 1, b.dims().get(1));
            emit(spec(name, OpKind.MATMUL, List.of(x.tensor()), n.getOutput(0),
                    new OpParams.Matmul(b.dims().get(1), false, false), b.name(), out));
            define(n.getOutput(0), out);
            return;
        }
        Act y = (Act) vb;
        int r = x.rank();
        int maxRank = NetworkBuilder.MAX_COMPUTE_RANK;
        if (r < 2 || r > maxRank || y.rank() != r || !x.shape().subList(0, r - 2).equals(y.shape().subList(0, r - 2))) {
            throw new Unmappable("A " + x.shape() + " and B " + y.shape() + " are both activations; SFD multiplies "
                    + "two activations of the same rank, 2 to " + maxRank + ", with equal leading dims");
        }
        if (!x.shape().get(r - 1).equals(y.shape().get(r - 2))) {
            throw new Unmappable("A " + x.shape() + " and B " + y.shape() + " have different inner sizes");
        }
        List<Integer> out = new ArrayList<>(x.shape());
        out.set(r - 1, y.shape().get(r - 1));
        String b = y.tensor();
        boolean transposeB = false;
        String t = producerSpec.get(y.tensor());
        if (t != null && specs.get(t).params() instanceof OpParams.Transpose tp && swapsLastTwo(tp.perm())
                && y.tensor().equals(n.getInput(1)) && singleConsumer(n.getInput(1))) {
            // A Transpose of the last two axes read only by this MatMul (K^T in attention): fold it into B.
            b = specs.get(t).inputs().get(0);
            transposeB = true;
            specs.remove(t);
            producerSpec.remove(y.tensor());
            folded.add(new OnnxImport.Folding(t, "Transpose", name + " (transposeB)"));
        }
        emit(spec(name, OpKind.MATMUL, List.of(x.tensor(), b), n.getOutput(0),
                new OpParams.Matmul(0, transposeB, false), null, out));
        define(n.getOutput(0), out);
    }

    static boolean swapsLastTwo(List<Integer> perm) {
        int r = perm.size();
        for (int i = 0; i < r - 2; i++) {
            if (perm.get(i) != i) {
                return false;
            }
        }
        return r >= 2 && perm.get(r - 2) == r - 1 && perm.get(r - 1) == r - 2;
    }
}
