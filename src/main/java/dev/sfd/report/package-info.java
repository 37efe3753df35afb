/** Report outputs of a simulated plan: report.json metrics, Chrome trace, console summary. */
package dev.sfd.report;
