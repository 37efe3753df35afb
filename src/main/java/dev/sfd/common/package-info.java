/**
 * Small pieces every stage uses: the user-input error type (exit code 2), typed field reading with
 * problem collection, atomic file output, and the once-per-JVM OR-Tools native loader. Nothing here knows
 * about networks, hardware or solver models.
 */
package dev.sfd.common;
