/** The journal: every accepted event with its status, attempts and step trail, for a person to read. */
package io.switchboard.journal;
