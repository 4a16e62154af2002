package io.switchboard.drill;

import java.util.List;

/**
 * The drill's cases, in the order they run. Revoked credential runs last: the credentials
 * cool-down that follows it holds the connection back for a while.
 */
final class DrillCases {

    static final List<DrillCase> ALL = List.of(new NormalCase(), new MissingDataCase(), new DuplicateCase(),
            new ExpiredCredentialCase(), new PermissionCase(), new OutageCase(), new VolumeCase(),
            new RevokedCredentialCase());

    private DrillCases() {
    }
}
