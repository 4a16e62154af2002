/** The mailbox trigger: e-mails in an IMAP folder, each stored as an event before it is flagged seen. */
package io.switchboard.mailbox;
