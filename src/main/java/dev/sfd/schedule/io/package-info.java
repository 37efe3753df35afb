/** Reads and writes plans as {@code sfd-plan/1} JSON (docs/plan-format.md). */
package dev.sfd.schedule.io;
