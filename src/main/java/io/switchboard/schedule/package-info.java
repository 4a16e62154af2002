/**
 * Scheduled syncs (trigger {@code schedule}): the persisted watermark each sync reads from,
 * the claim that keeps two runs of one sync from overlapping, and each run's numbers
 * ({@code GET /api/integrations/{id}/runs}).
 */
package io.switchboard.schedule;
