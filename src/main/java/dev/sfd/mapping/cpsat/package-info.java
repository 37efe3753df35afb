/**
 * The CP-SAT mapping model: an exact linearisation of the cost model over the mapping space, solved over a
 * range of GLB budgets, guided by an order-free relaxation of the layer's tile combinations (bounds, incumbent,
 * allowed tiles) that never removes an optimum. OR-Tools types never leave this package.
 */
package dev.sfd.mapping.cpsat;
