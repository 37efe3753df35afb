/**
 * The CP-SAT mapping model: an exact linearisation of the cost model over the mapping space, solved over a
 * range of GLB budgets. OR-Tools types never leave this package.
 */
package dev.sfd.mapping.cpsat;
