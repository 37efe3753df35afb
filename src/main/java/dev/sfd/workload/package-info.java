/**
 * The workload: tensors, operators and the network DAG, shape inference and validation
 * ({@link dev.sfd.workload.NetworkBuilder}), per-operator loop nests and statistics, and the region
 * arithmetic that says which part of each input a region of an output needs.
 */
package dev.sfd.workload;
