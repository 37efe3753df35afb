/**
 * The command line: {@code sfd inspect | map | optimize | simulate}. Parses options, resolves networks and
 * hardware, runs the pipeline stages and prints or writes their results. Exit codes: 0 success, 1 infeasible
 * or a failed check, 2 bad usage or bad input.
 */
package dev.sfd.cli;
