package dev.sfd.workload.io.onnx;

import ai.onnx.proto.OnnxMl;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes a TensorProto: dims always, values only for small tensors (shapes, axes, scales, pads) stored in
 * the model itself. Data types and storage fields follow onnx/onnx.proto (TensorProto.DataType; raw_data is
 * little-endian, typed fields otherwise).
 */
final class TensorDecoder {
    /** Tensors with more elements than this keep only their dims. */
    static final int MAX_DECODED = 1 << 16;

    private TensorDecoder() {
    }

    static ConstTensor decode(OnnxMl.TensorProto t) {
        List<Integer> dims = new ArrayList<>();
        for (long d : t.getDimsList()) {
            if (d < 0 || d > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("tensor '" + t.getName() + "' has dimension " + d);
            }
            dims.add((int) d);
        }
        ConstTensor shapeOnly = new ConstTensor(dims, null);
        long n = 1;
        for (int d : dims) {
            n *= d;
            if (n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("tensor '" + t.getName() + "' has dims " + dims
                        + ", more than " + Integer.MAX_VALUE + " elements");
            }
        }
        boolean external = t.getDataLocation() == OnnxMl.TensorProto.DataLocation.EXTERNAL;
        if (n > MAX_DECODED || external) {
            return shapeOnly;
        }
        double[] v = values(t, (int) n);
        return new ConstTensor(dims, v);
    }

    private static double[] values(OnnxMl.TensorProto t, int n) {
        int type = t.getDataType();
        double[] v = new double[n];
        if (!t.getRawData().isEmpty()) {
            ByteBuffer b = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            int size = elementBytes(type);
            if (size == 0 || b.remaining() < (long) size * n) {
                return null;
            }
            for (int i = 0; i < n; i++) {
                v[i] = switch (type) {
                    case 1 -> b.getFloat();
                    case 11 -> b.getDouble();
                    case 7, 13 -> b.getLong();
                    case 6 -> b.getInt();
                    case 12 -> Integer.toUnsignedLong(b.getInt());
                    case 5 -> b.getShort();
                    case 4 -> Short.toUnsignedInt(b.getShort());
                    case 3 -> b.get();
                    case 2, 9 -> Byte.toUnsignedInt(b.get());
                    default -> Double.NaN;
                };
            }
            return v;
        }
        if (n == 0) {
            return v;
        }
        switch (type) {
            case 1 -> {
                if (t.getFloatDataCount() < n) {
                    return null;
                }
                for (int i = 0; i < n; i++) {
                    v[i] = t.getFloatData(i);
                }
            }
            case 11 -> {
                if (t.getDoubleDataCount() < n) {
                    return null;
                }
                for (int i = 0; i < n; i++) {
                    v[i] = t.getDoubleData(i);
                }
            }
            case 7 -> {
                if (t.getInt64DataCount() < n) {
                    return null;
                }
                for (int i = 0; i < n; i++) {
                    v[i] = t.getInt64Data(i);
                }
            }
            case 13, 12 -> {
                if (t.getUint64DataCount() < n) {
                    return null;
                }
                for (int i = 0; i < n; i++) {
                    v[i] = t.getUint64Data(i);
                }
            }
            case 2, 3, 4, 5, 6, 9 -> {
                if (t.getInt32DataCount() < n) {
                    return null;
                }
                for (int i = 0; i < n; i++) {
                    v[i] = t.getInt32Data(i);
                }
            }
            default -> {
                return null;
            }
        }
        return v;
    }

    private static int elementBytes(int type) {
        return switch (type) {
            case 1, 6, 12 -> 4;
            case 7, 11, 13 -> 8;
            case 4, 5, 10, 16 -> 2;
            case 2, 3, 9 -> 1;
            default -> 0;
        };
    }
}
