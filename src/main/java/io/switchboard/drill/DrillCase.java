package io.switchboard.drill;

import io.switchboard.drill.Drills.CaseResult;

/**
 * One case of a drill (normal, duplicate, outage...): runs against the sandbox with what the
 * {@link DrillContext} gives, and says passed, failed, inconclusive or skipped with the reason
 * and its evidence. A case that does not apply to the integration's trigger or route is skipped
 * saying why, in terms of that integration. {@link DrillCases} lists them in order.
 */
interface DrillCase {

    /** The case's name in the API and the console: {@code missing-data}. */
    String name();

    CaseResult run(DrillContext drill);
}
