/**
 * Reading networks: the project's YAML/JSON format ({@link dev.sfd.workload.io.NetworkReader}), zoo names
 * ({@link dev.sfd.workload.io.NetworkCatalog}) and, by extension, imported model files.
 */
package dev.sfd.workload.io;
