/**
 * Exact twin of the list scheduler for small segments: a CP-SAT model of one segment's tile schedule (intervals on
 * the PE array, vector unit and DMA engines, dependency precedences, buffer capacity as a reservoir). Used to
 * measure how far the list scheduler is from optimal. CP-SAT types stay in this package.
 */
package dev.sfd.schedule.cpsat;
