/**
 * ONNX import: decodes a ModelProto (protobuf classes of {@code org.tribuo:tribuo-util-onnx}), folds constant
 * and shape subgraphs, batch norms and decomposed layer norms, and maps every node to SFD operator specs
 * (docs/onnx-import.md has the table). {@link dev.sfd.workload.io.OnnxReader} is the entry point.
 */
package dev.sfd.workload.io.onnx;
