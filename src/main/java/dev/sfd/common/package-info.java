/**
 * Small pieces every stage uses: the user-input error type (exit code 2) and atomic file output.
 * Nothing here knows about networks, hardware or solvers.
 */
package dev.sfd.common;
